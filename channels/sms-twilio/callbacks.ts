// What Twilio posts to us and what we answer: the delivery status callback (as a DeliveryReport), the inbound
// message form (as an InboundSms) and the TwiML reply. The routes check the signature (signature.ts) and map HTTP.
import Type, { type Static } from 'typebox';
import type { DeliveryReport } from '../channel.ts';
import type { InboundSms } from '../sms-inbound.ts';
import { TWILIO_UNSUBSCRIBED } from './errors.ts';

/** The fields of Twilio's status callback we read; Twilio sends many more, which are ignored. */
export const TwilioStatusCallback = Type.Object({
  MessageSid: Type.String({ minLength: 1, maxLength: 64 }),
  MessageStatus: Type.String({ minLength: 1, maxLength: 32 }),
  ErrorCode: Type.Optional(Type.String({ maxLength: 16 })),
});

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

/** A status callback as a delivery report; null when its MessageStatus is not one we know. */
export function twilioDeliveryReport(body: Static<typeof TwilioStatusCallback>): DeliveryReport | null {
  const status = mapTwilioStatus(body.MessageStatus);
  if (status === null) return null;
  const errorCode = body.ErrorCode || null;
  return { providerId: body.MessageSid, status, errorCode, optedOut: errorCode === String(TWILIO_UNSUBSCRIBED) };
}

/** Twilio's inbound-message form post; Twilio sends many more fields, which are ignored. */
export const TwilioInboundSms = Type.Object({
  MessageSid: Type.String({ minLength: 1, maxLength: 64 }),
  From: Type.String({ minLength: 1, maxLength: 64 }),
  To: Type.Optional(Type.String({ maxLength: 64 })),
  Body: Type.Optional(Type.String({ maxLength: 1600 })),
});

export function twilioInboundSms(body: Static<typeof TwilioInboundSms>): InboundSms {
  return { from: body.From, to: body.To ?? '', text: body.Body ?? '', providerMessageId: body.MessageSid };
}

/** The content type of a TwiML answer. */
export const TWIML_CONTENT_TYPE = 'text/xml; charset=utf-8';

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
