// The store port of the Official Account's shared state: its access token (every instance reads the one stored) and
// the callbacks already handled (WeChat retries a callback it got no answer to within 5 seconds; a retry may reach
// another instance).

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
}

export interface WechatOaStore {
  accessToken(appId: string): Promise<StoredAccessToken | null>;
  saveAccessToken(appId: string, token: StoredAccessToken, at: number): Promise<void>;
  /** the callback as handled before (a WeChat retry), or null */
  handled(dedupeKey: string): Promise<HandledCallback | null>;
  /**
   * Records a callback as handled, in the unit of work that acts on it; false when it already was, on any instance
   * (one row per key: the second of two at once finds the first's).
   */
  markHandled(callback: HandledCallback): Promise<boolean>;
}
