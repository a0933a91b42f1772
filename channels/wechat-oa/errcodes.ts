// WeChat API errcodes we act on, and what each means for an outbox row (see channels/channel.ts FailureKind).
import type { FailureKind } from '../channel.ts';

/** The access token is invalid or expired: refresh it and retry the call once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

const table: Record<number, { failure: FailureKind; meaning: string }> = {
  [-1]: { failure: 'temporary', meaning: 'system busy' },
  40001: { failure: 'temporary', meaning: 'invalid credential (access token)' },
  40014: { failure: 'temporary', meaning: 'invalid access token' },
  42001: { failure: 'temporary', meaning: 'access token expired' },
  45009: { failure: 'temporary', meaning: 'daily API call limit reached' },
  45011: { failure: 'temporary', meaning: 'API called too often' },
  45047: { failure: 'temporary', meaning: 'too many customer-service messages waiting for a reply' },
  40003: { failure: 'permanent', meaning: 'invalid OpenID' },
  40037: { failure: 'permanent', meaning: 'invalid template_id' },
  41028: { failure: 'permanent', meaning: 'invalid form_id or form_id missing' },
  45015: { failure: 'permanent', meaning: 'the user has not written within 48 hours (customer-service window closed)' },
  47003: { failure: 'permanent', meaning: 'template data does not meet the field rules' },
  48001: { failure: 'permanent', meaning: 'API not authorised for this account' },
  /** 取消关注: the user no longer follows the account */
  43004: { failure: 'opted_out', meaning: 'the user does not follow the account' },
  /** the user refused or cancelled the subscription to this notice */
  43101: { failure: 'opted_out', meaning: 'the user refused the subscription' },
};

export function failureOf(errcode: number): { failure: FailureKind; meaning: string } {
  // An errcode not in the table is retried: WeChat adds codes, and a few retries cost less than a lost notice.
  return table[errcode] ?? { failure: 'temporary', meaning: 'unlisted errcode' };
}
