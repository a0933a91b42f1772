// Tencent Cloud SMS's callbacks: status reports (短信下发状态) and the customer's replies (短信回复), as
// provider-neutral receipts and inbound SMS.
import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import type { InboundSms, SmsReceipt } from '../sms-inbound.ts';

const text = (maxLength: number) => Type.String({ maxLength });

export const TencentStatusReport = Type.Object(
  {
    mobile: Type.String({ minLength: 1, maxLength: 32 }),
    nationcode: Type.Optional(text(8)),
    report_status: Type.Union([Type.Literal('SUCCESS'), Type.Literal('FAIL')]),
    sid: Type.String({ minLength: 1, maxLength: 64 }),
    errmsg: Type.Optional(text(64)),
    description: Type.Optional(text(256)),
    user_receive_time: Type.Optional(text(32)),
    // the SessionContext of the send: our outbox id
    ext: Type.Optional(Type.Union([text(128), Type.Object({}, { additionalProperties: true })])),
  },
  { additionalProperties: true },
);

export const TencentReply = Type.Object(
  {
    mobile: Type.String({ minLength: 1, maxLength: 32 }),
    nationcode: Type.Optional(text(8)),
    text: Type.String({ maxLength: 1000 }),
    time: Type.Integer({ minimum: 0 }),
    sign: Type.Optional(text(64)),
    extend: Type.Optional(text(32)),
  },
  { additionalProperties: true },
);

export const tencentCallbackAccepted = { result: 0, errmsg: 'OK' } as const;
export const TencentCallbackAccepted = Type.Object({ result: Type.Integer(), errmsg: Type.String() });

export function tencentReceipts(body: Static<typeof TencentStatusReport>[]): SmsReceipt[] {
  return body.map((r) => ({
    providerId: r.sid,
    phone: r.mobile,
    outboxId: typeof r.ext === 'string' && r.ext !== '' ? r.ext : null,
    delivered: r.report_status === 'SUCCESS',
    errorCode: r.report_status === 'SUCCESS' ? null : r.errmsg || 'FAIL',
    optedOut: false,
  }));
}

/**
 * A reply carries no message id: the sender, its time (seconds) and its text make one, so a redelivered callback
 * is recognised.
 */
export function tencentInbound(body: Static<typeof TencentReply>[]): InboundSms[] {
  return body.map((m) => ({
    from: m.mobile,
    to: m.extend ?? '',
    text: m.text,
    providerMessageId: `${m.mobile}:${m.time}:${createHash('sha256').update(m.text).digest('hex').slice(0, 16)}`,
  }));
}
