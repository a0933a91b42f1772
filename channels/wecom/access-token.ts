// WeCom's access_token (gettoken with corpid + corpsecret): cached until shortly before it expires, fetched once even
// when many sends need it at the same moment, and dropped when WeCom says it is invalid or expired.

/** refresh this long before WeCom's expires_in runs out, so a token never expires between fetch and use */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

export class WecomAccessToken {
  private cached: { token: string; expiresAt: number } | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<string> {
    if (this.cached && this.now() < this.cached.expiresAt) return Promise.resolve(this.cached.token);
    this.inFlight ??= this.fetchToken()
      .then(({ token, expiresInSeconds }) => {
        const lifetime = Math.max(0, expiresInSeconds * 1000 - EXPIRY_MARGIN_MS);
        this.cached = { token, expiresAt: this.now() + lifetime };
        return token;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** WeCom refused `token` (40014 invalid, 42001 expired): the next get() fetches a new one, unless one already replaced it. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }
}
