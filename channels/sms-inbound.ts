// Inbound SMS in our words. Twilio posts a webhook; a mainland provider's uplink (上行短信) posts or pushes its own
// shape: each maps to InboundSms and the chat service answers, whoever carried the message.

export interface InboundSms {
  /** the sender's number as the provider gives it (E.164 or national) */
  from: string;
  /** our number or the provider's service code the message went to */
  to: string;
  text: string;
  /** the provider's id of the message: a redelivery is answered the same way, not twice */
  providerMessageId: string;
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

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  // characters XML 1.0 cannot carry at all are dropped rather than escaped
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** A TwiML answer: one <Message> with the text, or an empty <Response/> when there is nothing to say. */
export function twimlReply(text: string | null): string {
  const body = text === null || text === '' ? '<Response/>' : `<Response><Message>${escapeXml(text)}</Message></Response>`;
  return `<?xml version="1.0" encoding="UTF-8"?>${body}`;
}
