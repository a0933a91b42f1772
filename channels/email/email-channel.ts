// E-mail over SMTP through nodemailer: the rendered subject, HTML and plain-text parts of an outbox row.
import nodemailer, { type Transporter } from 'nodemailer';
import { ChannelError, type Channel, type OutboundMessage, type SendResult } from '../channel.ts';

export interface EmailOptions {
  /** smtp://user:pass@host:port or smtps://… */
  smtpUrl: string;
  /** the sender, e.g. "接电助手 <noreply@example.cn>" */
  from: string;
}

/** The domain of the sender's address, for Message-IDs. */
function senderDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.slice(address.lastIndexOf('@') + 1).trim() || 'jiedian.invalid';
}

export class EmailChannel implements Channel {
  readonly kind = 'email' as const;
  readonly provider = 'smtp';
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(private readonly options: EmailOptions) {
    this.transport = nodemailer.createTransport(options.smtpUrl);
    this.domain = senderDomain(options.from);
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const content = message.content;
    if (!content) throw new ChannelError('permanent', 'an e-mail row without subject and HTML (rendered content) cannot be sent');
    const headers: Record<string, string> = {};
    if (content.unsubscribeUrl) {
      headers['List-Unsubscribe'] = `<${content.unsubscribeUrl}>`;
      // RFC 8058: mail clients may unsubscribe with one POST to that URL
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: message.to,
        subject: content.subject,
        text: message.text,
        html: content.html,
        // the outbox id names the message, so a copy sent twice (a crash between send and record) is recognisable
        messageId: `<${message.outboxId}@${this.domain}>`,
        headers,
        attachments: content.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
      return { providerId: info.messageId, status: 'sent' };
    } catch (error) {
      const smtp = error as { responseCode?: number; message?: string; code?: string };
      const code = smtp.responseCode ?? null;
      // 5xx: the server refuses this message for good (no such mailbox, rejected); 4xx and lost connections pass
      const failure = code !== null && code >= 500 ? 'permanent' : 'temporary';
      throw new ChannelError(failure, `SMTP: ${smtp.message ?? String(error)}`, code !== null ? String(code) : (smtp.code ?? null));
    }
  }

  async stop(): Promise<void> {
    this.transport.close();
  }
}
