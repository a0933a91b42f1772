// The Official Account's HTTP API: the access token (stable-token endpoint, cached where every instance reads it,
// refreshed once however many sends need it at the same moment), template and subscription notices, customer-service
// text, and web authorization's code → OpenID exchange. WeChat has no official Node SDK; this is the few calls we use.
import { TOKEN_ERRCODES, failureOf } from './errcodes.ts';

/** Where the access token is kept: every instance reads the same one (the database), so none invalidates another's. */
/** Where the access token is kept for every instance (the inbound module's WechatOaStore). */
export interface AccessTokenStore {
  accessToken(appId: string): Promise<{ token: string; expiresAt: number } | null>;
  saveAccessToken(appId: string, token: { token: string; expiresAt: number }, at: number): Promise<void>;
}

export interface WechatOaApiOptions {
  appId: string;
  appSecret: string;
  /** https://api.weixin.qq.com or a fake */
  apiBaseUrl: string;
  tokens: AccessTokenStore;
  now: () => number;
  timeoutMs?: number;
}

/** A WeChat answer with a non-zero errcode (or one that was not WeChat's JSON). */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat errcode ${errcode}: ${errmsg} (${failureOf(errcode).meaning})`);
    this.name = 'WechatApiError';
  }
}

/** Not WeChat's answer at all: a timeout, a refused connection, an HTTP error. Whether WeChat acted is unknown. */
export class WechatTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WechatTransportError';
  }
}

/** A token is used until this long before WeChat says it expires (a send in flight must not carry a dying token). */
/**
 * Where WeChat's web authorization (snsapi_base: silent, yields only the OpenID) starts; WeChat comes back to
 * `redirectUri` with a `code` for `WechatOaApi.openIdOfCode`.
 */
export function webAuthorizeUrl(oauthBaseUrl: string, appId: string, redirectUri: string): string {
  const params = new URLSearchParams({ appid: appId, redirect_uri: redirectUri, response_type: 'code', scope: 'snsapi_base', state: 'jd' });
  // WeChat wants its parameters in this order and the fragment as written
  return `${oauthBaseUrl}/connect/oauth2/authorize?${params.toString()}#wechat_redirect`;
}

export const TOKEN_EXPIRY_MARGIN_MS = 5 * 60 * 1000;

export interface TemplateData {
  [key: string]: { value: string };
}

interface WechatReply {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

export class WechatOaApi {
  private refreshing: Promise<string> | null = null;
  /** stable_token requests made (tests, logs) */
  tokenFetches = 0;

  constructor(private readonly options: WechatOaApiOptions) {}

  /** A valid access token: the stored one while it has time left, else a fresh one (one request however many wait). */
  async accessToken(): Promise<string> {
    const stored = await this.options.tokens.accessToken(this.options.appId);
    if (stored && stored.expiresAt > this.options.now()) return stored.token;
    return this.refresh(stored?.token ?? null);
  }

  /**
   * Fetches a token from the stable-token endpoint in normal mode (force_refresh false): it hands every caller the
   * same token until it expires, so instances refreshing at once agree instead of invalidating each other.
   * `stale` is the token a caller found wanting: if another instance has stored a different one meanwhile, that one
   * is used without asking WeChat.
   */
  private refresh(stale: string | null): Promise<string> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      try {
        const stored = await this.options.tokens.accessToken(this.options.appId);
        if (stored && stored.token !== stale && stored.expiresAt > this.options.now()) return stored.token;
        this.tokenFetches += 1;
        const reply = await this.request('/cgi-bin/stable_token', null, {
          grant_type: 'client_credential',
          appid: this.options.appId,
          secret: this.options.appSecret,
          force_refresh: false,
        });
        const token = reply.access_token;
        const expiresIn = Number(reply.expires_in);
        if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn)) throw new WechatTransportError('stable_token answered without access_token/expires_in');
        const expiresAt = this.options.now() + Math.max(0, expiresIn * 1000 - TOKEN_EXPIRY_MARGIN_MS);
        await this.options.tokens.saveAccessToken(this.options.appId, { token, expiresAt }, this.options.now());
        return token;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async request(path: string, accessToken: string | null, body: unknown, method: 'POST' | 'GET' = 'POST', query: Record<string, string> = {}): Promise<WechatReply> {
    const url = new URL(path, `${this.options.apiBaseUrl}/`);
    if (accessToken !== null) url.searchParams.set('access_token', accessToken);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/json; charset=utf-8' } : {},
        // WeChat wants UTF-8 JSON with Chinese as is; JSON.stringify leaves it unescaped
        body: method === 'POST' ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new WechatTransportError(`WeChat API ${path} unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!response.ok) throw new WechatTransportError(`WeChat API ${path} answered HTTP ${response.status}`);
    let reply: WechatReply;
    try {
      reply = (await response.json()) as WechatReply;
    } catch {
      throw new WechatTransportError(`WeChat API ${path} answered something that is not JSON`);
    }
    if (typeof reply.errcode === 'number' && reply.errcode !== 0) throw new WechatApiError(reply.errcode, String(reply.errmsg ?? ''));
    return reply;
  }

  /** A call with the access token; on 40001/40014/42001 the token is refreshed and the call made once more. */
  private async call(path: string, body: unknown): Promise<WechatReply> {
    const token = await this.accessToken();
    try {
      return await this.request(path, token, body);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !TOKEN_ERRCODES.has(error.errcode)) throw error;
      const fresh = await this.refresh(token);
      return this.request(path, fresh, body);
    }
  }

  /** /cgi-bin/message/template/send; `clientMsgId` makes WeChat drop a repeat of the same message. Returns the msgid. */
  async sendTemplate(input: { toUser: string; templateId: string; url: string; data: TemplateData; clientMsgId: string }): Promise<string> {
    const reply = await this.call('/cgi-bin/message/template/send', {
      touser: input.toUser,
      template_id: input.templateId,
      url: input.url,
      data: input.data,
      client_msg_id: input.clientMsgId,
    });
    return String(reply.msgid ?? '');
  }

  /** /cgi-bin/message/subscribe/bizsend: a subscription notice (订阅通知); `page` is the link it opens. */
  async sendSubscribe(input: { toUser: string; templateId: string; page: string; data: TemplateData }): Promise<string> {
    const reply = await this.call('/cgi-bin/message/subscribe/bizsend', {
      touser: input.toUser,
      template_id: input.templateId,
      page: input.page,
      data: input.data,
    });
    return String(reply.msgid ?? '');
  }

  /** /cgi-bin/message/custom/send: a customer-service text, allowed within 48 hours of the user's last message. */
  async sendText(toUser: string, text: string): Promise<void> {
    await this.call('/cgi-bin/message/custom/send', { touser: toUser, msgtype: 'text', text: { content: text } });
  }

  /** Web authorization (snsapi_base): the OpenID behind a code WeChat put on our page's URL. Codes work once. */
  async openIdOfCode(code: string): Promise<string> {
    const reply = await this.request('/sns/oauth2/access_token', null, null, 'GET', {
      appid: this.options.appId,
      secret: this.options.appSecret,
      code,
      grant_type: 'authorization_code',
    });
    if (typeof reply.openid !== 'string' || reply.openid === '') throw new WechatTransportError('oauth2/access_token answered without openid');
    return reply.openid;
  }
}
