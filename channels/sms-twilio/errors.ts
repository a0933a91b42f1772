// Twilio's failures in our words: the one table of its error codes and HTTP statuses as temporary / permanent /
// opted-out, for a send (the REST API's answer) and for a status callback (its ErrorCode).
import { ChannelError } from '../channel.ts';

/** Twilio error 21610: the recipient replied STOP, so Twilio refuses to message them. */
export const TWILIO_UNSUBSCRIBED = 21610;

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
    // a server error may come after the message was created; a 429 or 408 means it was not taken
    if (status >= 500) return new ChannelError('temporary', description, providerCode, true);
    if (status === 429 || status === 408) return new ChannelError('temporary', description, providerCode);
    return new ChannelError('permanent', description, providerCode);
  }
  // No HTTP status: the request never got an answer (refused, reset, DNS, timeout). Unknown errors are also retried;
  // the outbox's attempt limit bounds them.
  const networkCode = stringProp(error, 'code');
  const reason = error instanceof Error ? error.message : String(error);
  // Refused or unresolved: the request never left. Anything else (a timeout, a reset) may have reached Twilio.
  const neverSent = networkCode === 'ECONNREFUSED' || networkCode === 'ENOTFOUND' || networkCode === 'EAI_AGAIN';
  return new ChannelError('temporary', `Twilio unreachable: ${networkCode ?? reason}`, null, !neverSent);
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
