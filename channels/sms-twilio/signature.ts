// Checks that a webhook request really comes from Twilio (the X-Twilio-Signature header).
import twilio from 'twilio';

/** The header Twilio signs its webhook requests in. */
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

export interface TwilioSignatureInput {
  authToken: string;
  /** PUBLIC_URL: the origin (and any path prefix) Twilio was configured to call */
  publicUrl: string;
  /** the request's path and query as received, e.g. `request.url` ('/webhooks/twilio/sms') */
  path: string;
  /** the form-encoded POST parameters */
  params: Record<string, unknown>;
  /** the X-Twilio-Signature header */
  signature: string | undefined;
}

/**
 * Twilio signs the URL it called, so the URL is rebuilt from PUBLIC_URL rather than from the Host header and
 * protocol this process sees, which differ behind a reverse proxy or TLS terminator.
 */
export function isValidTwilioSignature(input: TwilioSignatureInput): boolean {
  if (!input.signature) return false;
  const url = input.publicUrl.replace(/\/+$/, '') + input.path;
  return twilio.validateRequest(input.authToken, input.signature, url, input.params);
}
