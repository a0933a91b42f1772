// The fallback channel when a provider has no credentials: the message is logged, not sent.
import { maskPhone } from '../server/domain/masking.ts';
import type { Channel, ChannelKind, ChannelLogger, OutboundMessage, SendResult } from './channel.ts';

export class LogChannel implements Channel {
  readonly provider = 'log';

  constructor(
    readonly kind: ChannelKind,
    private readonly logger: ChannelLogger,
  ) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    // The body is left out on purpose (house style: no customer message text in logs); its length shows it was rendered.
    this.logger.info(
      {
        channel: this.kind,
        outboxId: message.outboxId,
        to: maskAddress(this.kind, message.to),
        notice: message.notice.kind,
        textLength: Array.from(message.text).length,
      },
      `${this.kind} message not sent: no provider configured, written to the log`,
    );
    return { providerId: `log-${message.outboxId}`, status: 'delivered' };
  }
}

/**
 * Phones keep their first three and last four digits (138****1111); e-mail addresses the first character and the
 * domain (z***@example.cn); other ids (WeChat, WeCom) their ends like phones.
 */
export function maskAddress(kind: ChannelKind, to: string): string {
  if (kind === 'sms') return maskPhone(to);
  if (kind === 'email') {
    const at = to.lastIndexOf('@');
    return at <= 0 ? '***' : `${Array.from(to)[0]}***${to.slice(at)}`;
  }
  const chars = Array.from(to);
  if (chars.length < 10) return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 7) + chars.slice(-4).join('');
}
