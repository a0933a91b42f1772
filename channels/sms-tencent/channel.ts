// SMS through Tencent Cloud SMS (2021-01-11): a registered template id and its ordered parameters, the outbox id
// as SessionContext.
import { createRequire } from 'node:module';
import type * as Tencentcloud from 'tencentcloud-sdk-nodejs-sms';
import { calendarDateOf } from '../../server/domain/dates.ts';
import { askAgainAt } from '../../server/domain/delivery-policy.ts';
import { renderNotice, TemplateValueError, type SmsTemplateMap, type TemplateParams } from '../../server/domain/sms-template-maps.ts';
import { normalizeSmsAddress } from '../sms-inbound.ts';
import { ChannelError, type Channel, type ChannelLogger, type NotKnownYet, type OutboundMessage, type SendResult } from '../channel.ts';
import { classifyTencentCode, tencentChannelError } from './errors.ts';

// CommonJS, loaded when a Tencent channel is made rather than at every start of the server
const require = createRequire(import.meta.url);
type SmsClient = InstanceType<typeof Tencentcloud.sms.v20210111.Client>;

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** the SMS application's SDK AppID */
  sdkAppId: string;
  /** 签名 content, registered with Tencent */
  signName: string;
  /** https://sms.tencentcloudapi.com, or a local fake in tests */
  endpoint: string;
  region: string;
  templates: SmsTemplateMap;
  timeZone: string;
  /** the clock dates in variables are written against */
  now?: () => number;
  logger: ChannelLogger;
  onOperatorAlert?: (code: string) => void;
  /** a status report already received for this outbox id (the status callback): asked before the API */
  receiptFor?: (outboxId: string) => Promise<SendResult | null>;
  timeoutMs?: number;
  /**
   * How long after a send in doubt began Tencent may still report it (TENCENT_SMS_REPORT_WAIT_MS): until then a send
   * without a report is not known yet and not made again; after it, it is failed (never sent again) with an
   * operator alert.
   */
  reportWaitMs: number;
}

/** Not Tencent's code: ours, for a send in doubt that Tencent never reported on (alerts, the outbox's last error). */
export const NO_STATUS_REPORT = 'NoStatusReport';

/** Tencent wants E.164; customer phones are stored as 11 domestic digits. */
function e164(phone: string): string {
  const address = normalizeSmsAddress(phone);
  return /^1\d{10}$/.test(address) ? `+86${address}` : address;
}

export class TencentSmsChannel implements Channel {
  readonly kind = 'sms' as const;
  readonly provider = 'tencent';
  readonly #client: SmsClient;
  readonly #options: TencentSmsOptions;

  constructor(options: TencentSmsOptions) {
    const endpoint = new URL(options.endpoint);
    const { sms } = require('tencentcloud-sdk-nodejs-sms') as typeof Tencentcloud;
    this.#client = new sms.v20210111.Client({
      credential: { secretId: options.secretId, secretKey: options.secretKey },
      region: options.region,
      profile: {
        httpProfile: { endpoint: endpoint.host, protocol: `${endpoint.protocol}//`, reqTimeout: (options.timeoutMs ?? 15_000) / 1000 },
      },
    });
    this.#options = options;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    let rendered: TemplateParams | null;
    try {
      rendered = renderNotice(this.#options.templates, message.notice, this.#renderContext());
    } catch (error) {
      if (error instanceof TemplateValueError) throw new ChannelError('permanent', `${message.notice.kind}: ${error.message}`);
      throw error;
    }
    if (!rendered) throw new ChannelError('permanent', `templates/sms-tencent.json maps no template for ${message.notice.kind}`);
    const { templateId, params } = rendered;
    const ordered = Object.keys(params)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => params[k]!);
    let status: { SerialNo?: string; Code?: string } | undefined;
    try {
      const response = await this.#client.SendSms({
        PhoneNumberSet: [e164(message.to)],
        SmsSdkAppId: this.#options.sdkAppId,
        SignName: this.#options.signName,
        TemplateId: templateId,
        TemplateParamSet: ordered,
        SessionContext: message.outboxId,
      });
      status = response.SendStatusSet?.[0];
    } catch (error) {
      throw this.#failure(error);
    }
    if (status?.Code === 'Ok' && status.SerialNo) return { providerId: status.SerialNo, status: 'sent' };
    throw this.#refused(status?.Code ?? 'NoSendStatus');
  }

  /**
   * The status reports received (callbacks) first; then PullSmsSendStatusByPhoneNumber for the recipient since the
   * claim, matched by SessionContext. (The plain PullSmsSendStatus hands each report out once, so pulling there
   * would take other messages' reports away from their callbacks.) A report exists only once the carrier answered:
   * without one the message is not known yet until `reportWaitMs` has passed, and failed in doubt after it.
   */
  async findSent(message: OutboundMessage, sinceMs: number): Promise<SendResult | NotKnownYet | null> {
    const received = (await this.#options.receiptFor?.(message.outboxId)) ?? null;
    if (received) return received;
    try {
      const response = await this.#client.PullSmsSendStatusByPhoneNumber({
        BeginTime: Math.floor(sinceMs / 1000) - 60,
        Offset: 0,
        Limit: 100,
        PhoneNumber: e164(message.to),
        SmsSdkAppId: this.#options.sdkAppId,
      });
      const found = (response.PullSmsSendStatusSet ?? []).find((s) => s.SessionContext === message.outboxId);
      if (!found) {
        const again = askAgainAt(sinceMs, this.#now(), this.#options.reportWaitMs);
        if (again !== null) return { notKnownYet: true, askAgainAt: again };
        throw this.#neverReported();
      }
      return { providerId: found.SerialNo ?? message.outboxId, status: found.ReportStatus === 'SUCCESS' ? 'delivered' : 'sent' };
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** The template and filled-in text `notice` goes out as, or null when it cannot go (the carrier limits count it). */
  templateOf(notice: { kind: string; variables: Record<string, unknown> }): TemplateParams | null {
    try {
      return renderNotice(this.#options.templates, notice, this.#renderContext());
    } catch (error) {
      if (error instanceof TemplateValueError) return null;
      throw error;
    }
  }

  #renderContext() {
    return { today: calendarDateOf(this.#now(), this.#options.timeZone), timeZone: this.#options.timeZone };
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /**
   * No status report of a send in doubt within `reportWaitMs`: the handset may be off and the report come hours later,
   * so sending again could text the customer twice. The message is failed, not resent, and an operator told.
   */
  #neverReported(): ChannelError {
    const code = NO_STATUS_REPORT;
    this.#options.logger.error({ provider: 'tencent', code }, 'Tencent Cloud SMS has no status report of a send in doubt: not sent again lest the customer get it twice; an operator must check it');
    this.#options.onOperatorAlert?.(code);
    return new ChannelError('permanent', 'in doubt: Tencent Cloud SMS has no status report of the message; not sent again', code);
  }

  #refused(code: string): ChannelError {
    if (classifyTencentCode(code).operatorAlert) {
      this.#options.logger.error({ provider: 'tencent', code }, `Tencent Cloud SMS refused a message with ${code}: the SMS account needs an operator`);
      this.#options.onOperatorAlert?.(code);
    }
    return tencentChannelError(code, this.#now());
  }

  /** The SDK's exception: with a code, Tencent answered; without one, it did not (timeout, reset, HTTP 5xx). */
  #failure(error: unknown): ChannelError {
    if (error instanceof ChannelError) return error;
    const fields = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; httpCode?: unknown };
    if (typeof fields.code === 'string' && fields.code !== '') return this.#refused(fields.code);
    const reason = typeof fields.httpCode === 'number' ? `HTTP ${fields.httpCode}` : error instanceof Error ? error.message : String(error);
    return new ChannelError('temporary', `Tencent Cloud SMS did not answer: ${reason}`, null, true);
  }
}
