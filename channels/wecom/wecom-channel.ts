// WeCom (企业微信) application messages to staff (/cgi-bin/message/send), text only.
import { nextSendAt, sendsStillCounted, WECOM_MEMBER_LIMITS } from '../../server/domain/member-send-limit.ts';
import { ChannelError, type Channel, type OutboundMessage, type SendResult } from '../channel.ts';
import { WecomAccessToken } from './access-token.ts';

export interface WecomOptions {
  corpId: string;
  agentId: number;
  secret: string;
  /** https://qyapi.weixin.qq.com, or a local fake in tests */
  apiBaseUrl: string;
  timeoutMs?: number;
  /** the clock and the wait the per-member limit uses (tests pass a virtual pair) */
  now?: () => number;
  sleepUntil?: (at: number) => Promise<void>;
}

/** A repeat of the same text to the same member within this many seconds is not delivered again (WeCom's own check). */
export const DUPLICATE_CHECK_SECONDS = 1800;

const TOKEN_REFUSED = new Set([40014, 42001]);
// system busy, API call frequency limits, too many concurrent calls: worth another try later
const TEMPORARY = new Set([-1, 45009, 45011, 45033]);

interface WecomAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  invaliduser?: string;
  msgid?: string;
}

const realSleepUntil = (at: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

export class WecomChannel implements Channel {
  readonly kind = 'wecom' as const;
  readonly provider = 'wecom';
  private readonly token: WecomAccessToken;
  private readonly now: () => number;
  private readonly sleepUntil: (at: number) => Promise<void>;
  /** per member: the instants of sends made or reserved, ascending */
  private readonly sends = new Map<string, number[]>();

  constructor(private readonly options: WecomOptions) {
    this.now = options.now ?? Date.now;
    this.sleepUntil = options.sleepUntil ?? realSleepUntil;
    this.token = new WecomAccessToken(() => this.fetchToken(), this.now);
  }

  private async call(path: string, init: RequestInit = {}): Promise<WecomAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.options.apiBaseUrl}${path}`, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      throw new ChannelError('temporary', `WeCom API unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!response.ok) throw new ChannelError('temporary', `WeCom API answered HTTP ${response.status}`, String(response.status));
    try {
      return (await response.json()) as WecomAnswer;
    } catch {
      throw new ChannelError('temporary', 'WeCom API answered something that is not JSON');
    }
  }

  private async fetchToken() {
    const query = new URLSearchParams({ corpid: this.options.corpId, corpsecret: this.options.secret });
    const answer = await this.call(`/cgi-bin/gettoken?${query}`);
    if (answer.errcode !== 0 || !answer.access_token) {
      const code = answer.errcode ?? null;
      // a wrong corpid or secret does not heal by retrying, but the row must not be lost to a mistyped secret either
      throw new ChannelError('temporary', `WeCom gettoken failed: ${answer.errmsg ?? 'no access_token'}`, code === null ? null : String(code));
    }
    return { token: answer.access_token, expiresInSeconds: answer.expires_in ?? 7200 };
  }

  /** Waits until one more message to `member` stays within WeCom's per-member limits, and reserves that slot. */
  private async waitForTurn(member: string): Promise<void> {
    const now = this.now();
    const sent = sendsStillCounted(this.sends.get(member) ?? [], now, WECOM_MEMBER_LIMITS);
    const at = nextSendAt(sent, now, WECOM_MEMBER_LIMITS);
    sent.push(at);
    this.sends.set(member, sent);
    if (at > now) await this.sleepUntil(at);
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    await this.waitForTurn(message.to);
    const body = JSON.stringify({
      touser: message.to,
      msgtype: 'text',
      agentid: this.options.agentId,
      text: { content: message.text },
      // a resend after a crash or a timeout is not delivered twice
      enable_duplicate_check: 1,
      duplicate_check_interval: DUPLICATE_CHECK_SECONDS,
    });
    for (let attempt = 1; ; attempt++) {
      const token = await this.token.get();
      const answer = await this.call(`/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const code = answer.errcode ?? -1;
      if (TOKEN_REFUSED.has(code) && attempt === 1) {
        this.token.invalidate(token);
        continue;
      }
      const invalid = (answer.invaliduser ?? '').split('|').includes(message.to);
      if (code === 0 && !invalid) return { providerId: answer.msgid ?? `wecom-${message.outboxId}`, status: 'delivered' };
      const why = `WeCom message/send: ${answer.errmsg ?? 'failed'}${invalid ? ` (invalid user ${message.to})` : ''}`;
      const failure = TEMPORARY.has(code) || TOKEN_REFUSED.has(code) ? 'temporary' : 'permanent';
      throw new ChannelError(failure, why, code === 0 ? 'invaliduser' : String(code));
    }
  }
}
