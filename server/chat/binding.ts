// Binding a sender to an account: the binding code (sent to the application's phone, kept only as an HMAC), the code
// or query code typed back, unbinding, and the scope rules — which accounts and applications a sender has proved.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { ProgressView } from '../domain/progress-view.ts';
import { BIND_CODE_VALID_MINUTES, type AccountFacts, type ConversationState, type Effect, type EffectOutcome } from '../domain/chat/dialogue.ts';
import { readChatState, type Conversation } from './chat-store.ts';
import type { Stores } from '../stores.ts';
import type { ServiceContext } from '../shared/context.ts';
import { queryCodeHmac } from '../applications/ingest.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import type { ProgressViews } from '../applications/progress-views.ts';
import type { QueryCodeGuesses } from '../customers/query-code-guesses.ts';
import { BIND_LOCK_MS, BIND_MAX_FAILURES, type BindingLimits } from './rate-limits.ts';
import { isNoticeChannel, type InboundChatMessage, type Turn } from './turn-context.ts';

/** a new code for the same account and address at most this often */
const RESEND_AFTER_MS = 60 * 1000;
/** a kiosk/web session stays bound this long after its last message */
export const SESSION_TTL_MS = 30 * 60 * 1000;

export interface BindingOptions {
  ctx: ServiceContext;
  stores: Stores;
  views: ProgressViews;
  notices: NoticeWriter;
  limits: BindingLimits;
  /** wrong query codes: the limits kiosk/web chat shares with POST /api/v1/progress/query */
  queryCodeGuesses: QueryCodeGuesses;
}

export function createBinding({ ctx, stores, views, notices, limits, queryCodeGuesses }: BindingOptions) {
  // The phone the code went to is in the hash: the binding then covers that phone's applications only.
  const codeHash = (channel: string, address: string, accountNo: string, code: string, phone: string) =>
    createHmac('sha256', ctx.secret).update(`bind\u0000${channel}\u0000${address}\u0000${accountNo}\u0000${code}\u0000${phone}`).digest('hex');

  function sameHash(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && timingSafeEqual(x, y);
  }

  async function viewsOf(accountNo: string, only?: string[]): Promise<ProgressView[]> {
    const numbers = (await stores.chats.applicationNosOfAccount(accountNo)).filter((no) => !only || only.includes(no));
    return (await Promise.all(numbers.map((no) => views.customerView(no)))).filter((v): v is ProgressView => v !== undefined && v.accountNo === accountNo);
  }

  async function applicationsOf(accountNo: string) {
    return (await Promise.all((await stores.chats.applicationNosOfAccount(accountNo)).map((no) => stores.applications.application(no)))).filter((r) => r !== undefined);
  }

  async function latestApplication(accountNo: string) {
    const rows = await applicationsOf(accountNo);
    return rows.find((r) => r.status === 'active') ?? rows[0];
  }

  /**
   * The applications a kiosk/web session covers: those recorded when it was proved; for one recorded before scopes
   * were kept, those with the phone a binding code for the account goes to (the latest application's) — as for a
   * binding without a scope, and as notices read it (`BindingStore.legacyScope`).
   */
  async function sessionScopeOf(accountNo: string, scopes: Record<string, string[]>): Promise<string[]> {
    return scopes[accountNo] ?? (await stores.bindings.legacyScope(accountNo));
  }

  /** The code, when it may be sent: a second one for the same account within a minute is not. */
  async function requestCode(effect: Extract<Effect, { kind: 'send_bind_code' }>, turn: Turn): Promise<EffectOutcome> {
    const { message, state, now, work } = turn;
    const { accountNo } = effect;
    if (state?.kind === 'awaiting_code' && state.accountNo === accountNo && now - state.sentAt < RESEND_AFTER_MS) return { kind: 'bind_code_throttled' };
    // Counted and answered before the account is looked up: the same for an account that does not exist.
    const wait = await limits.codeRequestWait(message, accountNo, now);
    if (wait > 0) return { kind: 'bind_code_limited', retryAfterSeconds: wait };
    await limits.codeRequested(message, accountNo, now);
    const application = await latestApplication(accountNo);
    // Unknown account: the same answer, and any code typed later simply fails.
    if (!application) return { kind: 'bind_code_sent', codeHash: null, preface: effect.preface };
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    work.writes.push(async (stores) => {
      await notices.queue(stores, 'bind_code', { kind: 'customer', application, only: { channel: 'sms', address: application.phone } }, { code, validMinutes: BIND_CODE_VALID_MINUTES });
    });
    work.wake = true;
    return { kind: 'bind_code_sent', codeHash: codeHash(message.channel, message.address, accountNo, code, application.phone), preface: effect.preface };
  }

  /** What a code proves: the applications whose query code it is, or those with the phone the binding code went to. */
  async function coveredBy(message: InboundChatMessage, accountNo: string, code: string, expectedHash: string | null): Promise<Set<string>> {
    const covered = new Set((await stores.applications.applicationsOfAccount(accountNo, queryCodeHmac(ctx.secret, accountNo, code))).map((a) => a.applicationNo));
    if (expectedHash !== null) {
      const phones = new Set((await applicationsOf(accountNo)).map((a) => a.phone));
      const phone = [...phones].find((ph) => sameHash(codeHash(message.channel, message.address, accountNo, code, ph), expectedHash));
      if (phone !== undefined) for (const no of await stores.chats.applicationNosByPhone(accountNo, phone)) covered.add(no);
    }
    return covered;
  }

  async function checkCode(effect: Extract<Effect, { kind: 'check_code' }>, turn: Turn): Promise<EffectOutcome> {
    const { message, conversation, now, work } = turn;
    const { channel, address } = message;
    const { accountNo, code } = effect;
    // A code typed here may be the query code, so it is a guess like one sent to POST /api/v1/progress/query and
    // meets the same limits: per client (at a kiosk or on the web the client's address, not the session id it
    // makes up; by SMS or WeChat the sender), per account and client, and the account's hourly ceiling, which a
    // kiosk with its device key does not meet. SMS and WeChat binding codes keep their own per-account lock too.
    const noticeChannel = isNoticeChannel(channel);
    const attempt = noticeChannel
      ? { accountNo, clientAddress: `${channel}:${address}`, kiosk: false }
      : { accountNo, clientAddress: message.clientAddress ?? null, kiosk: message.kioskDevice === true };
    const accountWait = Math.max(noticeChannel ? await limits.wrongCodeWait(accountNo, now) : 0, await queryCodeGuesses.retryAfterSeconds(attempt, now));
    if (accountWait > 0) return { kind: 'bind_locked', retryAfterSeconds: accountWait };
    const covered = await coveredBy(message, accountNo, code, effect.codeHash);
    if (covered.size > 0) {
      await queryCodeGuesses.right(attempt);
      if (isNoticeChannel(channel)) {
        // Proving again adds to what the binding covered (one kept before scopes: what it was read as covering).
        // The binding's row is the scope's one record: the chat reads it and notices follow it.
        const binding = (await stores.bindings.boundTo({ channel, address })).find((b) => b.accountNo === accountNo);
        const union = [...new Set([...(binding?.applicationNos ?? []), ...covered])];
        work.writes.push(async (stores) => {
          await stores.bindings.bind({ channel, address, accountNo, at: now, applicationNos: union });
          await stores.outbox.clearOptOut(channel, address);
        });
      } else {
        // Proving again in a kiosk session adds to what it proved for the same account only.
        const { scopes } = readChatState<ConversationState>(conversation?.state ?? null);
        const before = conversation?.sessionAccountNo === accountNo ? (scopes[accountNo] ?? []) : [];
        work.scopes = { [accountNo]: [...new Set([...before, ...covered])] };
        Object.assign(work.patch, { sessionAccountNo: accountNo, sessionUntil: now + SESSION_TTL_MS });
      }
      Object.assign(work.patch, { bindFailures: 0, bindLockedUntil: null });
      return { kind: 'bound', accountNo };
    }
    if (noticeChannel) await limits.wrongCode(accountNo, now);
    await queryCodeGuesses.wrong(attempt, now);
    const failures = (conversation?.bindFailures ?? 0) + 1;
    if (failures >= BIND_MAX_FAILURES) {
      Object.assign(work.patch, { bindFailures: 0, bindLockedUntil: now + BIND_LOCK_MS });
      return { kind: 'bind_locked', retryAfterSeconds: BIND_LOCK_MS / 1000 };
    }
    work.patch.bindFailures = failures;
    return { kind: 'code_wrong', attemptsLeft: BIND_MAX_FAILURES - failures };
  }

  async function unbind(turn: Turn): Promise<EffectOutcome> {
    const { message, conversation, now, work } = turn;
    const { channel, address } = message;
    if (isNoticeChannel(channel)) {
      const count = (await stores.bindings.boundTo({ channel, address })).length;
      work.writes.push(async (stores) => void (await stores.bindings.unbindAll({ channel, address })));
      return { kind: 'unbound', count };
    }
    const had = isSessionBound(conversation, now) ? 1 : 0;
    Object.assign(work.patch, { sessionAccountNo: null, sessionUntil: null });
    work.scopes = {};
    return { kind: 'unbound', count: had + (message.viewClaims ? 1 : 0) };
  }

  return {
    /**
     * The accounts the sender has proved: for notice channels their bindings, each for the applications in its scope
     * (`channel_bindings.application_nos`, the one record of it: notices follow the same); for kiosk/web the
     * session's account (scope in the conversation's state) and the view token's.
     */
    async accountsOf(message: InboundChatMessage, conversation: Conversation | undefined, now: number): Promise<AccountFacts[]> {
      const scoped = new Map<string, Set<string>>();
      const add = (accountNo: string, applicationNos: string[]) => {
        const set = scoped.get(accountNo) ?? new Set<string>();
        for (const no of applicationNos) set.add(no);
        scoped.set(accountNo, set);
      };
      if (isNoticeChannel(message.channel)) {
        for (const binding of await stores.bindings.boundTo({ channel: message.channel, address: message.address })) add(binding.accountNo, binding.applicationNos);
      } else {
        const { scopes } = readChatState<ConversationState>(conversation?.state ?? null);
        const claims = message.viewClaims;
        if (claims) add(claims.a, claims.n);
        const session = conversation?.sessionAccountNo;
        if (session && isSessionBound(conversation, now)) add(session, await sessionScopeOf(session, scopes));
      }
      return Promise.all([...scoped].map(async ([accountNo, only]) => ({ accountNo, applications: await viewsOf(accountNo, [...only]) })));
    },
    requestCode,
    checkCode,
    unbind,
  };
}

export type Binding = ReturnType<typeof createBinding>;

/** A kiosk/web session proved for an account, and used within SESSION_TTL_MS since. */
export function isSessionBound(conversation: Conversation | undefined, now: number): boolean {
  return Boolean(conversation?.sessionAccountNo) && (conversation?.sessionUntil ?? 0) > now;
}
