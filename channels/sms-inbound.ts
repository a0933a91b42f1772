// Inbound SMS in our words. Twilio posts a webhook; a mainland provider's uplink (上行短信) posts or pushes its own
// shape: each maps to InboundSms and the chat service answers, whoever carried the message. The mainland providers'
// status reports map to SmsReceipt.

export interface InboundSms {
  /** the sender's number as the provider gives it (E.164 or national) */
  from: string;
  /** our number or the provider's service code the message went to */
  to: string;
  text: string;
  /** the provider's id of the message: a redelivery is answered the same way, not twice */
  providerMessageId: string;
}

/** A template SMS provider's status report (Aliyun SmsReport, Tencent's status callback) in our words. */
export interface SmsReceipt {
  /** Aliyun biz_id, Tencent sid */
  providerId: string;
  phone: string;
  /** the outbox id the provider echoes (Aliyun out_id, Tencent ext), if any */
  outboxId: string | null;
  delivered: boolean;
  errorCode: string | null;
  /** the error code means the recipient refuses our texts */
  optedOut: boolean;
}

/**
 * The form an SMS address is stored and compared in: a mainland mobile number as its 11 digits (how applications
 * hold the customer's phone, so an opt-out or binding of +8613800001111 applies to notices to 13800001111);
 * anything else as given, without spaces or dashes.
 */
export function normalizeSmsAddress(phone: string): string {
  const compact = phone.replace(/[\s-]/g, '');
  const mainland = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/.exec(compact);
  return mainland ? mainland[1]! : compact;
}
