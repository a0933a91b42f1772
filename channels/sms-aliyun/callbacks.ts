// Aliyun's pushes (消息推送 over HTTP): SmsReport (status reports) and SmsUp (the customer's replies), as
// provider-neutral receipts and inbound SMS.
import Type, { type Static } from 'typebox';
import type { InboundSms, SmsReceipt } from '../sms-inbound.ts';
import { classifyAliyunCode } from './errors.ts';

const text = (maxLength: number) => Type.String({ maxLength });

export const AliyunSmsReportItem = Type.Object(
  {
    phone_number: Type.String({ minLength: 1, maxLength: 32 }),
    success: Type.Boolean(),
    biz_id: Type.String({ minLength: 1, maxLength: 64 }),
    out_id: Type.Optional(text(64)),
    err_code: Type.Optional(text(64)),
    err_msg: Type.Optional(text(256)),
    send_time: Type.Optional(text(32)),
    report_time: Type.Optional(text(32)),
    sms_size: Type.Optional(text(8)),
  },
  { additionalProperties: true },
);

export const AliyunSmsUpItem = Type.Object(
  {
    phone_number: Type.String({ minLength: 1, maxLength: 32 }),
    content: Type.String({ maxLength: 1000 }),
    sequence_id: Type.Union([Type.Integer(), Type.String({ minLength: 1, maxLength: 64 })]),
    send_time: Type.Optional(text(32)),
    dest_code: Type.Optional(text(32)),
    sign_name: Type.Optional(text(64)),
  },
  { additionalProperties: true },
);

/** Aliyun's answer to a push it may stop retrying. */
export const aliyunPushAccepted = { code: 0, msg: '接收成功' } as const;
export const AliyunPushAccepted = Type.Object({ code: Type.Integer(), msg: Type.String() });

export function aliyunReceipts(body: Static<typeof AliyunSmsReportItem>[]): SmsReceipt[] {
  return body.map((r) => {
    const errorCode = r.success ? null : r.err_code || 'UNKNOWN';
    return {
      providerId: r.biz_id,
      phone: r.phone_number,
      outboxId: r.out_id || null,
      delivered: r.success,
      errorCode,
      optedOut: errorCode !== null && classifyAliyunCode(errorCode).failure === 'opted_out',
    };
  });
}

export function aliyunInbound(body: Static<typeof AliyunSmsUpItem>[]): InboundSms[] {
  return body.map((m) => ({ from: m.phone_number, to: m.dest_code ?? '', text: m.content, providerMessageId: String(m.sequence_id) }));
}
