// SMS through Twilio's Messages API.
import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { ChannelError, type Channel, type OutboundMessage, type SendResult } from './channel.ts';

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** the sender: a Twilio number in E.164, or an alphanumeric sender id */
  from: string;
  /** send every API call here instead of https://api.twilio.com (a proxy, or a local fake in tests) */
  apiBaseUrl: string | null;
  /** where Twilio posts delivery statuses; null: no callbacks */
  statusCallbackUrl: string | null;
  /** per request; the outbox retries, so a stuck call should fail fast instead of holding a send for SDK's 30 s */
  timeoutMs?: number;
}

/** Twilio error 21610: the recipient replied STOP, so Twilio refuses to message them. */
const TWILIO_UNSUBSCRIBED = 21610;
const IDEMPOTENCY_HEADER = 'I-Twilio-Idempotency-Token';

// messages.create() takes no per-call headers, so the outbox id travels to the HTTP layer in the async context
// of the send that started the request; concurrent sends each see their own id.
const currentIdempotencyToken = new AsyncLocalStorage<string>();

class JiedianRequestClient extends twilio.RequestClient {
  constructor(
    private readonly apiBaseUrl: string | null,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const token = currentIdempotencyToken.getStore();
    const headers = token === undefined ? opts.headers : { ...opts.headers, [IDEMPOTENCY_HEADER]: token };
    const uri = this.apiBaseUrl === null ? opts.uri : rebase(opts.uri, this.apiBaseUrl);
    return super.request<TData>({ ...opts, uri, headers });
  }
}

/** Keeps the path and query of an SDK URL (https://api.twilio.com/2010-04-01/…) and swaps its origin for the base. */
function rebase(uri: string, apiBaseUrl: string): string {
  const url = new URL(uri);
  return apiBaseUrl.replace(/\/+$/, '') + url.pathname + url.search;
}

export class TwilioSmsChannel implements Channel {
  readonly kind = 'sms' as const;
  readonly provider = 'twilio';
  readonly #client: twilio.Twilio;
  readonly #from: string;
  readonly #statusCallbackUrl: string | null;

  constructor(options: TwilioSmsOptions) {
    this.#client = twilio(options.accountSid, options.authToken, {
      httpClient: new JiedianRequestClient(options.apiBaseUrl, options.timeoutMs ?? 15_000),
      // retries belong to the outbox, which backs off and survives restarts
      autoRetry: false,
    });
    this.#from = options.from;
    this.#statusCallbackUrl = options.statusCallbackUrl;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    try {
      const created = await currentIdempotencyToken.run(message.outboxId, () =>
        this.#client.messages.create({
          to: toE164(message.to),
          from: this.#from,
          body: message.text,
          ...(this.#statusCallbackUrl === null ? {} : { statusCallback: this.#statusCallbackUrl }),
        }),
      );
      return { providerId: created.sid, status: 'sent' };
    } catch (error) {
      throw toChannelError(error);
    }
  }
}

/**
 * Customer phones are stored as domestic mobile numbers (13800001111); Twilio wants E.164. Anything that is not a
 * bare Chinese mobile number is passed through for Twilio to judge (an invalid one comes back as error 21211).
 */
export function toE164(phone: string): string {
  const compact = phone.replace(/[\s-]/g, '');
  if (compact.startsWith('+')) return compact;
  if (compact.startsWith('00')) return '+' + compact.slice(2);
  if (/^1\d{10}$/.test(compact)) return '+86' + compact;
  return compact;
}

/**
 * The one place Twilio failures become delivery decisions. Twilio's own message text is left out on purpose: it
 * often quotes the recipient's number, and ChannelError messages end up in logs and the outbox.
 */
export function toChannelError(error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  const status = numberProp(error, 'status');
  if (status !== null) {
    const code = numberProp(error, 'code');
    const providerCode = code === null ? null : String(code);
    const description = `Twilio answered HTTP ${status}` + (code === null ? '' : ` with error ${code}`);
    if (code === TWILIO_UNSUBSCRIBED) return new ChannelError('opted_out', `${description} (recipient unsubscribed)`, providerCode);
    if (status >= 500 || status === 429 || status === 408) return new ChannelError('temporary', description, providerCode);
    return new ChannelError('permanent', description, providerCode);
  }
  // No HTTP status: the request never got an answer (refused, reset, DNS, timeout). Unknown errors are also retried;
  // the outbox's attempt limit bounds them.
  const networkCode = stringProp(error, 'code');
  const reason = error instanceof Error ? error.message : String(error);
  return new ChannelError('temporary', `Twilio unreachable: ${networkCode ?? reason}`);
}

function numberProp(value: unknown, name: string): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const prop = (value as Record<string, unknown>)[name];
  return typeof prop === 'number' && Number.isFinite(prop) ? prop : null;
}

function stringProp(value: unknown, name: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const prop = (value as Record<string, unknown>)[name];
  return typeof prop === 'string' ? prop : null;
}

/** Twilio's delivery status (StatusCallback's MessageStatus) in our words; null for statuses we do not track. */
export function mapTwilioStatus(status: string): 'sent' | 'delivered' | 'failed' | null {
  switch (status) {
    case 'queued':
    case 'accepted':
    case 'sending':
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'undelivered':
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}
