// The store port of the Official Account's shared state: its access token (every instance reads the one stored) and
// the callbacks already handled (WeChat retries a callback it got no answer to within 5 seconds; a retry may reach
// another instance). A text is claimed before its chat turn runs (in units of work of its own) and answered after, so
// of two instances given it at once one runs the turn and the other gives the same answer.

export interface StoredAccessToken {
  token: string;
  /** epoch ms after which the token is not used */
  expiresAt: number;
}

export interface HandledCallback {
  /** `msg:<MsgId>`, or `event:<OpenID>:<CreateTime>:<event>` */
  dedupeKey: string;
  openId: string;
  receivedAt: number;
  /** the passive reply it got, given again to a retry; null for a plain `success` */
  passiveReply: string | null;
  /** claimed by the instance answering it, which has not answered yet */
  pending: boolean;
}

/** A callback an instance claims to answer. */
export type CallbackClaim = Pick<HandledCallback, 'dedupeKey' | 'openId' | 'receivedAt'>;

export interface WechatOaStore {
  accessToken(appId: string): Promise<StoredAccessToken | null>;
  saveAccessToken(appId: string, token: StoredAccessToken, at: number): Promise<void>;
  /** the callback as handled before (a WeChat retry), or null */
  handled(dedupeKey: string): Promise<HandledCallback | null>;
  /**
   * Records a callback as handled, in the unit of work that acts on it; false when it already was, on any instance
   * (one row per key: the second of two at once finds the first's).
   */
  markHandled(callback: Omit<HandledCallback, 'pending'>): Promise<boolean>;
  /**
   * Claims a callback for this instance to answer, committed at once: false when another has it (answered, or
   * answering). A claim still pending that was made before `staleBefore` (its instance died answering) is taken over.
   */
  claim(callback: CallbackClaim, staleBefore: number): Promise<boolean>;
  /** The claimed callback's answer, in the unit of work that writes what goes with it. */
  answer(dedupeKey: string, passiveReply: string | null): Promise<void>;
  /** Gives up a claim not answered (its answer failed), so a retry may claim the callback again. */
  release(dedupeKey: string): Promise<void>;
}
