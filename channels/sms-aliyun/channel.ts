// SMS through Aliyun (dysmsapi 2017-05-25): a registered template code and its variables, the outbox id as OutId.
import { createRequire } from 'node:module';
import type * as $Dysmsapi from '@alicloud/dysmsapi20170525';
import type DysmsapiModule from '@alicloud/dysmsapi20170525';
import type * as $OpenApiCore from '@alicloud/openapi-core';
import type * as $Dara from '@darabonba/typescript';
import { calendarDateOf } from '../../server/domain/dates.ts';
import { normalizeSmsAddress } from '../sms-inbound.ts';
import { renderNotice, TemplateValueError, type SmsTemplateMap, type TemplateParams } from '../../server/domain/sms-template-maps.ts';
import { ChannelError, type Channel, type ChannelLogger, type OutboundMessage, type SendResult } from '../channel.ts';
import { aliyunChannelError, classifyAliyunCode } from './errors.ts';

// The SDKs are CommonJS and take seconds to load (every dysmsapi model): loaded when an Aliyun channel is made, not
// at every start of the server.
const require = createRequire(import.meta.url);
function sdk() {
  const dysmsapi = require('@alicloud/dysmsapi20170525') as typeof $Dysmsapi;
  const { $OpenApiUtil } = require('@alicloud/openapi-core') as typeof $OpenApiCore;
  const dara = require('@darabonba/typescript') as typeof $Dara;
  return { Dysmsapi: (dysmsapi as unknown as typeof DysmsapiModule).default, dysmsapi, $OpenApiUtil, dara };
}

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** 签名, registered with Aliyun */
  signName: string;
  /** https://dysmsapi.aliyuncs.com, or a local fake in tests */
  endpoint: string;
  templates: SmsTemplateMap;
  timeZone: string;
  /** the clock dates in variables are written against (this year's dates without their year) */
  now?: () => number;
  logger: ChannelLogger;
  /** an error code that needs the utility's attention (balance, sign name, template): for metrics */
  onOperatorAlert?: (code: string) => void;
  /** per request; the outbox retries, so a stuck call should fail fast */
  timeoutMs?: number;
}

/** Aliyun keeps send details by the day they were sent, in Beijing time. */
const ALIYUN_TIME_ZONE = 'Asia/Shanghai';
/** QuerySendDetails' largest page */
const QUERY_PAGE_SIZE = 50;

export class AliyunSmsChannel implements Channel {
  readonly kind = 'sms' as const;
  readonly provider = 'aliyun';
  readonly #client: InstanceType<typeof DysmsapiModule.default>;
  readonly #options: AliyunSmsOptions;
  readonly #runtime: $Dara.RuntimeOptions;
  readonly #models: typeof $Dysmsapi;

  constructor(options: AliyunSmsOptions) {
    const endpoint = new URL(options.endpoint);
    const { Dysmsapi, dysmsapi, $OpenApiUtil, dara } = sdk();
    this.#models = dysmsapi;
    this.#client = new Dysmsapi(
      new $OpenApiUtil.Config({
        accessKeyId: options.accessKeyId,
        accessKeySecret: options.accessKeySecret,
        endpoint: endpoint.host,
        protocol: endpoint.protocol.replace(':', ''),
      }),
    );
    const timeout = options.timeoutMs ?? 15_000;
    // retries belong to the outbox, which asks QuerySendDetails first (a retried SendSms could text twice)
    this.#runtime = new dara.RuntimeOptions({ autoretry: false, readTimeout: timeout, connectTimeout: timeout });
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
    if (!rendered) throw new ChannelError('permanent', `templates/sms-aliyun.json maps no template for ${message.notice.kind}`);
    const { templateId, params } = rendered;
    let body: $Dysmsapi.SendSmsResponseBody | undefined;
    try {
      const response = await this.#client.sendSmsWithOptions(
        new this.#models.SendSmsRequest({
          phoneNumbers: normalizeSmsAddress(message.to),
          signName: this.#options.signName,
          templateCode: templateId,
          templateParam: JSON.stringify(params),
          outId: message.outboxId,
        }),
        this.#runtime,
      );
      body = response.body;
    } catch (error) {
      throw this.#unanswered(error);
    }
    if (body?.code === 'OK' && body.bizId) return { providerId: body.bizId, status: 'sent' };
    const code = body?.code ?? 'NO_CODE';
    this.#alertIfNeeded(code);
    throw aliyunChannelError(code, body?.message ?? null, this.#now());
  }

  /**
   * QuerySendDetails for the recipient on each day since the claim, matched by OutId, page by page until TotalCount
   * (a number may have had more texts that day than one page holds). Its details carry no BizId, so the outbox id
   * stands for it (receipts carry both, and are matched by either).
   */
  async findSent(message: OutboundMessage, sinceMs: number): Promise<SendResult | null> {
    const days = new Set([calendarDateOf(sinceMs, ALIYUN_TIME_ZONE), calendarDateOf(this.#now(), ALIYUN_TIME_ZONE)]);
    for (const day of days) {
      for (let page = 1, seen = 0; ; page++) {
        let body: $Dysmsapi.QuerySendDetailsResponseBody | undefined;
        try {
          const response = await this.#client.querySendDetailsWithOptions(
            new this.#models.QuerySendDetailsRequest({ phoneNumber: normalizeSmsAddress(message.to), sendDate: day.replaceAll('-', ''), pageSize: QUERY_PAGE_SIZE, currentPage: page }),
            this.#runtime,
          );
          body = response.body;
        } catch (error) {
          throw this.#unanswered(error);
        }
        if (body?.code !== 'OK') throw new ChannelError('temporary', `Aliyun QuerySendDetails answered ${body?.code ?? 'nothing'}`, body?.code ?? null, true);
        const details = body.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
        const found = details.find((detail) => detail.outId === message.outboxId);
        // SendStatus 1: waiting for the receipt, 2: failed, 3: delivered. Sent either way: never again.
        if (found) return { providerId: message.outboxId, status: found.sendStatus === 3 ? 'delivered' : 'sent' };
        seen += details.length;
        if (details.length === 0 || seen >= Number(body.totalCount ?? 0)) break;
      }
    }
    return null;
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

  #alertIfNeeded(code: string): void {
    if (!classifyAliyunCode(code).operatorAlert) return;
    this.#options.logger.error({ provider: 'aliyun', code }, `Aliyun SMS refused a message with ${code}: the SMS account needs an operator`);
    this.#options.onOperatorAlert?.(code);
  }

  /** An error without Aliyun's answer (timeout, refused connection) or a server error: the message may have gone. */
  #unanswered(error: unknown): ChannelError {
    if (error instanceof ChannelError) return error;
    const fields = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; statusCode?: unknown; data?: { statusCode?: unknown; Message?: unknown } };
    const status = typeof fields.statusCode === 'number' ? fields.statusCode : typeof fields.data?.statusCode === 'number' ? fields.data.statusCode : null;
    const code = typeof fields.code === 'string' ? fields.code : null;
    if (status !== null && status < 500 && code) {
      this.#alertIfNeeded(code);
      return aliyunChannelError(code, typeof fields.data?.Message === 'string' ? fields.data.Message : null, this.#now());
    }
    // the SDK's message quotes the request URL, recipient included: only the error's name goes to logs and the outbox
    const reason = status !== null ? `HTTP ${status}` : (code ?? (error instanceof Error ? error.name : 'unknown error'));
    return new ChannelError('temporary', `Aliyun SMS did not answer: ${reason}`, code, true);
  }
}
