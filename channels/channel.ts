// The one interface every delivery channel implements. Adapters know nothing of applications.
import type { FastifyBaseLogger } from 'fastify';

export const channelKinds = ['sms', 'wechat', 'wechat_oa', 'wecom', 'email'] as const;
export type ChannelKind = (typeof channelKinds)[number];

export interface OutboundMessage {
  /** the outbox row id; adapters pass it as the provider's idempotency key where one exists */
  outboxId: string;
  /** a phone number (sms), a contact id (wechat), an OpenID (wechat_oa), a WeCom member id (wecom) or an e-mail address (email) */
  to: string;
  /** the fully rendered text, signature and opt-out hint included */
  text: string;
  /** the notice kind and its template variables, for providers that send approved template codes instead of text */
  notice: { kind: string; variables: Record<string, unknown> };
  /** what a channel carrying more than text sends besides `text` (e-mail); absent for text channels */
  content?: MessageContent | null;
}

export interface MessageAttachment {
  filename: string;
  contentType: string;
  /** the file's text (UTF-8) */
  content: string;
}

/** An e-mail's parts besides its plain text (`OutboundMessage.text`), rendered when the outbox row is written. */
export interface MessageContent {
  subject: string;
  html: string;
  attachments: MessageAttachment[];
  /** the signed unsubscribe link (customer notices), also sent as the List-Unsubscribe header */
  unsubscribeUrl: string | null;
}

export interface SendResult {
  /** the provider's message id, used to map delivery callbacks back to the outbox row */
  providerId: string;
  /** `delivered` for channels that confirm synchronously (e.g. WeChat), `sent` when a callback may follow */
  status: 'sent' | 'delivered';
}

/** A provider's delivery status callback in our words, mapped back to the outbox row by the notices module. */
export interface DeliveryReport {
  providerId: string;
  status: 'sent' | 'delivered' | 'failed';
  /** the provider's error code, e.g. Twilio's 21610 (recipient replied STOP) */
  errorCode: string | null;
  /** the provider's error code that means the recipient opted out */
  optedOut: boolean;
  /** the outbox id the provider echoes (Aliyun out_id, Tencent ext): matches when the provider id is not known */
  outboxId?: string | null;
}

/**
 * How a failed send should be handled: `temporary` retries with backoff, `permanent` fails the row at once,
 * `opted_out` fails it and marks the address as opted out on that channel.
 */
export type FailureKind = 'temporary' | 'permanent' | 'opted_out';

export class ChannelError extends Error {
  constructor(
    readonly failure: FailureKind,
    message: string,
    readonly providerCode: string | null = null,
    /**
     * True when the provider may have taken the message all the same: no answer (a timeout, a reset connection) or
     * a server error. The dispatcher then asks `findSent` before it sends the message again.
     */
    readonly outcomeUnknown = false,
    /**
     * A carrier limit refused the message (too many texts to the number in a minute, an hour, a day): it waits until
     * this instant (epoch ms) and is tried again then. Such a refusal is not counted as a failed attempt.
     */
    readonly retryAt: number | null = null,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/**
 * `findSent`'s answer when the provider cannot tell yet whether it has the message (Tencent learns of a message only
 * from the carrier's status report): the message stays in doubt, unsent, and the provider is asked again at
 * `askAgainAt` (epoch ms).
 */
export interface NotKnownYet {
  notKnownYet: true;
  askAgainAt: number;
}

export interface Channel {
  readonly kind: ChannelKind;
  /** e.g. 'twilio', 'wechaty', 'log' */
  readonly provider: string;
  send(message: OutboundMessage): Promise<SendResult>;
  /**
   * Asks the provider whether a message whose send may have reached it (a crash mid-send, a timeout) was in fact
   * sent since `sinceMs` (epoch ms of the claim): its result when it was, null when the provider has no record of
   * it, NotKnownYet while the provider may still learn of it. The dispatcher calls it before it sends such a message
   * again; a channel that cannot ask leaves it out.
   */
  findSent?(message: OutboundMessage, sinceMs: number): Promise<SendResult | NotKnownYet | null>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** The part of pino/Fastify's logger that channels use; `app.log` or `request.log` fit. */
export type ChannelLogger = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
