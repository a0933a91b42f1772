// How often binding codes may be asked and wrong ones typed, per requester and per account (counted in the attempt
// log: across every instance on one database).
import type { AttemptLog } from '../limits/attempt-log.ts';
import { createWindowLimit, type WindowLimit } from '../limits/window-limit.ts';
import { isNoticeChannel, type InboundChatMessage } from './turn-context.ts';

/** wrong codes per address before binding locks, and for how long */
export const BIND_MAX_FAILURES = 5;
export const BIND_LOCK_MS = 60 * 60 * 1000;
/**
 * Wrong codes per kiosk/web client address, whatever session ids it makes up: counted in the limits shared with
 * POST /api/v1/progress/query (one allowance of 20 in 15 minutes for both routes, and 5 per account).
 */
export { WRONG_QUERY_CODES_PER_CLIENT as WRONG_CODES_PER_CLIENT, QUERY_CODE_WINDOW_MS as CLIENT_CODE_WINDOW_MS } from '../customers/query-code-guesses.ts';
/**
 * Binding codes asked per kiosk/web client address (whatever session ids it makes up) and per SMS number / WeChat
 * contact, whatever accounts they name: each is an SMS to someone's phone, urgent, so sent in quiet hours too.
 */
export const BIND_CODES_PER_CLIENT = 3;
export const BIND_CODES_PER_CLIENT_WINDOW_MS = 15 * 60 * 1000;
export const BIND_CODES_PER_ADDRESS = 3;
export const BIND_CODES_PER_ADDRESS_WINDOW_MS = 60 * 60 * 1000;

export function createBindingLimits(attempts: AttemptLog) {
  // Across addresses too: many WeChat accounts or kiosk sessions guessing one account's query code, or asking
  // codes to flood its phone, are stopped per account.
  const codeRequestsPerAccount = createWindowLimit(attempts, 'bind-code/account', { maxFailures: 5, windowMs: BIND_LOCK_MS });
  const wrongCodesPerAccount = createWindowLimit(attempts, 'bind-code-wrong/account', { maxFailures: 10, windowMs: BIND_LOCK_MS });
  const codeRequestsPerClient = createWindowLimit(attempts, 'bind-code/client', { maxFailures: BIND_CODES_PER_CLIENT, windowMs: BIND_CODES_PER_CLIENT_WINDOW_MS });
  const codeRequestsPerAddress = createWindowLimit(attempts, 'bind-code/address', { maxFailures: BIND_CODES_PER_ADDRESS, windowMs: BIND_CODES_PER_ADDRESS_WINDOW_MS });

  /** Who asks: the SMS number or WeChat contact; at a kiosk or on the web the client's address, not the session. */
  function requester({ channel, address, clientAddress }: InboundChatMessage): [WindowLimit, string] {
    if (isNoticeChannel(channel)) return [codeRequestsPerAddress, `${channel}:${address}`];
    return [codeRequestsPerClient, clientAddress ?? `${channel}:${address}`];
  }

  return {
    /** Seconds before the sender may ask a code for the account again; 0 when it may now. */
    async codeRequestWait(message: InboundChatMessage, accountNo: string, now: number): Promise<number> {
      const [limiter, key] = requester(message);
      return Math.max(await limiter.retryAfterSeconds(key, now), await codeRequestsPerAccount.retryAfterSeconds(accountNo, now));
    },
    async codeRequested(message: InboundChatMessage, accountNo: string, now: number): Promise<void> {
      const [limiter, key] = requester(message);
      await limiter.add(key, now);
      await codeRequestsPerAccount.add(accountNo, now);
    },
    /** SMS and WeChat binding codes' own per-account lock: seconds before a code may be typed again. */
    wrongCodeWait: (accountNo: string, now: number) => wrongCodesPerAccount.retryAfterSeconds(accountNo, now),
    wrongCode: (accountNo: string, now: number) => wrongCodesPerAccount.add(accountNo, now),
  };
}

export type BindingLimits = ReturnType<typeof createBindingLimits>;
