// One chat service for every channel (WeChat, SMS, kiosk/web): understand, look up what the sender may see,
// answer through the pure dialogue core, carry out its effect, and record the exchange in the conversation.
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { JiedianError } from '../errors.ts';
import { calendarDateOf } from '../domain/dates.ts';
import { maskName } from '../domain/masking.ts';
import { FailureLimiter } from '../domain/failure-limiter.ts';
import type { ProgressView } from '../domain/progress-view.ts';
import { normalize } from '../domain/chat/normalize.ts';
import { classify, isApplicationIntent, type Intent } from '../domain/chat/intents.ts';
import { CODE_MASK, maskCodes } from '../domain/chat/entities.ts';
import { templateReply, type TemplateReply } from '../domain/chat/template-replies.ts';
import {
  BIND_CODE_VALID_MINUTES,
  respond,
  settle,
  stateTtlMs,
  type AccountFacts,
  type ChatChannel,
  type ConversationState,
  type Effect,
  type EffectOutcome,
  type StateChange,
} from '../domain/chat/dialogue.ts';
import { chatStateColumn, readChatState, type ChatStore, type ConversationRow, type StoredChatState } from '../../db/chat-store.ts';
import type { OutboxStore } from '../../db/outbox-store.ts';
import type { Stores, Transact } from '../stores.ts';
import { EVERY_ADDRESS, type MuteStore } from '../../db/mute-store.ts';
import type { WechatyWeChatChannel } from '../../channels/wechat-wechaty.ts';
import { normalizeSmsAddress, type InboundSms } from '../../channels/sms-inbound.ts';
import type { ServiceContext } from './context.ts';
import type { ViewClaims } from './customer-access.ts';
import type { ConsultService } from './consults.ts';
import type { CustomerStepRefusal, HurryService } from './hurries.ts';
import { queryCodeHmac } from './ingest.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import type { ProgressViews } from '../applications/progress-views.ts';
import type { QueryCodeGuesses } from './query-code-guesses.ts';
import type { RatingService } from './ratings.ts';
import { responsibleFor } from './responsible.ts';
import type { RiskService } from './risks.ts';

export const MAX_CHAT_TEXT = 500;
/** wrong codes per address before binding locks, and for how long */
export const BIND_MAX_FAILURES = 5;
export const BIND_LOCK_MS = 60 * 60 * 1000;
/**
 * Wrong codes per kiosk/web client address, whatever session ids it makes up: counted in the limits shared with
 * POST /api/v1/progress/query (one allowance of 20 in 15 minutes for both routes, and 5 per account).
 */
export { WRONG_QUERY_CODES_PER_CLIENT as WRONG_CODES_PER_CLIENT, QUERY_CODE_WINDOW_MS as CLIENT_CODE_WINDOW_MS } from './query-code-guesses.ts';
/**
 * Binding codes asked per kiosk/web client address (whatever session ids it makes up) and per SMS number / WeChat
 * contact, whatever accounts they name: each is an SMS to someone's phone, urgent, so sent in quiet hours too.
 */
export const BIND_CODES_PER_CLIENT = 3;
export const BIND_CODES_PER_CLIENT_WINDOW_MS = 15 * 60 * 1000;
export const BIND_CODES_PER_ADDRESS = 3;
export const BIND_CODES_PER_ADDRESS_WINDOW_MS = 60 * 60 * 1000;
/** a new code for the same account and address at most this often */
const RESEND_AFTER_MS = 60 * 1000;
/** a kiosk/web session stays bound this long after its last message */
export const SESSION_TTL_MS = 30 * 60 * 1000;
/** the inbound messages a consult carries to staff */
const CONSULT_CONTEXT_MESSAGES = 5;

export interface InboundChatMessage {
  channel: ChatChannel;
  /** SMS number (normalised), WeChat contact id, or kiosk/web session id */
  address: string;
  text: string;
  /** the provider's message id: a redelivery gets the recorded answer instead of a second turn */
  providerMessageId?: string | null;
  /** a group chat where the bot was mentioned: nothing private is said there */
  public?: boolean;
  /** kiosk/web: the claims of the view token the session carries (treated as bound to that account) */
  viewClaims?: ViewClaims | null;
  /** kiosk/web: the client's network address (a session id is the client's to make up; this is not) */
  clientAddress?: string | null;
  /** kiosk: the client presented the business hall's device key (KIOSK_DEVICE_KEY) */
  kioskDevice?: boolean;
}

export interface ChatResult {
  intent: Intent;
  replies: string[];
  /** the answer as a template SMS (Aliyun, Tencent); null for a redelivered message, answered before */
  template: TemplateReply | null;
}

export interface ChatServiceOptions {
  ctx: ServiceContext;
  /** reads outside a transaction (bindings) */
  stores: Stores;
  /** the turn's record is one unit of work */
  transact: Transact;
  chats: ChatStore;
  views: ProgressViews;
  outbox: OutboxStore;
  /** one application's notices muted by the customer (免打扰) */
  mutes: MuteStore;
  notices: NoticeWriter;
  hurries: HurryService;
  consults: ConsultService;
  knowledge: KnowledgeBase;
  /** wrong query codes: the limits kiosk/web chat shares with POST /api/v1/progress/query */
  queryCodeGuesses: QueryCodeGuesses;
  /** after commit: deliver notices just queued (the binding code) */
  wakeDispatcher: () => void;
  /** progress questions, consults and complaints are complaint-risk signals */
  risks: Pick<RiskService, 'record'>;
  /** answers to the satisfaction follow-up */
  ratings: Pick<RatingService, 'pendingAmong' | 'askedOfPhone' | 'rate' | 'ofApplication'>;
}

const isNoticeChannel = (channel: ChatChannel): channel is 'sms' | 'wechat' | 'wechat_oa' => channel === 'sms' || channel === 'wechat' || channel === 'wechat_oa';

export function createChatService(options: ChatServiceOptions) {
  const { ctx, stores, transact, chats, views, outbox, notices, hurries, consults, knowledge, queryCodeGuesses, risks, ratings } = options;
  // Across addresses too: many WeChat accounts or kiosk sessions guessing one account's query code, or asking
  // codes to flood its phone, are stopped per account.
  const codeRequestsPerAccount = new FailureLimiter({ maxFailures: 5, windowMs: BIND_LOCK_MS });
  const wrongCodesPerAccount = new FailureLimiter({ maxFailures: 10, windowMs: BIND_LOCK_MS });
  const codeRequestsPerClient = new FailureLimiter({ maxFailures: BIND_CODES_PER_CLIENT, windowMs: BIND_CODES_PER_CLIENT_WINDOW_MS });
  const codeRequestsPerAddress = new FailureLimiter({ maxFailures: BIND_CODES_PER_ADDRESS, windowMs: BIND_CODES_PER_ADDRESS_WINDOW_MS });

  // The phone the code went to is in the hash: the binding then covers that phone's applications only.
  const codeHash = (channel: string, address: string, accountNo: string, code: string, phone: string) =>
    createHmac('sha256', ctx.secret).update(`bind\u0000${channel}\u0000${address}\u0000${accountNo}\u0000${code}\u0000${phone}`).digest('hex');

  function sameHash(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && timingSafeEqual(x, y);
  }

  function viewsOf(accountNo: string, only?: string[]): ProgressView[] {
    const numbers = chats.applicationNosOfAccount(accountNo).filter((no) => !only || only.includes(no));
    return numbers.map((no) => views.customerView(no)).filter((v): v is ProgressView => v !== undefined && v.accountNo === accountNo);
  }

  /**
   * The applications a kiosk/web session covers: those recorded when it was proved; for one recorded before scopes
   * were kept, those with the phone a binding code for the account goes to (the latest application's) — as for a
   * binding without a scope, and as notices read it (`BindingStore.legacyScope`).
   */
  async function sessionScopeOf(accountNo: string, scopes: Record<string, string[]>): Promise<string[]> {
    return scopes[accountNo] ?? (await stores.bindings.legacyScope(accountNo));
  }

  /**
   * The accounts the sender has proved: for notice channels their bindings, each for the applications in its scope
   * (`channel_bindings.application_nos`, the one record of it: notices follow the same); for kiosk/web the
   * session's account (scope in the conversation's state) and the view token's.
   */
  async function accountsOf(message: InboundChatMessage, conversation: ConversationRow | undefined, now: number): Promise<AccountFacts[]> {
    const { scopes } = isNoticeChannel(message.channel) ? { scopes: {} } : readChatState<ConversationState>(conversation?.state ?? null);
    const scoped = new Map<string, Set<string>>();
    const add = (accountNo: string, applicationNos: string[]) => {
      const set = scoped.get(accountNo) ?? new Set<string>();
      for (const no of applicationNos) set.add(no);
      scoped.set(accountNo, set);
    };
    if (isNoticeChannel(message.channel)) {
      for (const binding of await stores.bindings.boundTo({ channel: message.channel, address: message.address })) add(binding.accountNo, binding.applicationNos);
    } else {
      const claims = message.viewClaims;
      if (claims) add(claims.a, claims.n);
      const session = conversation?.sessionAccountNo;
      if (session && (conversation.sessionUntil ?? 0) > now) add(session, await sessionScopeOf(session, scopes));
    }
    return [...scoped].map(([accountNo, only]) => ({ accountNo, applications: viewsOf(accountNo, [...only]) }));
  }

  function latestApplication(accountNo: string) {
    const rows = chats.applicationNosOfAccount(accountNo).map((no) => ctx.store.application(no)).filter((r) => r !== undefined);
    return rows.find((r) => r.status === 'active') ?? rows[0];
  }

  interface TurnWork {
    /** run inside the transaction that records the turn */
    writes: ((stores: Stores) => void | Promise<void>)[];
    patch: Partial<ConversationRow>;
    /** the applications each proved account covers, when this turn changes them */
    scopes?: Record<string, string[]>;
    wake: boolean;
  }

  async function carryOut(
    effect: Effect,
    message: InboundChatMessage,
    /** the message as it is kept on record (codes masked) */
    recorded: string,
    conversation: ConversationRow | undefined,
    conversationId: string,
    state: ConversationState | null,
    now: number,
    work: TurnWork,
  ): Promise<EffectOutcome> {
    const { channel, address } = message;
    const lockedUntil = conversation?.bindLockedUntil ?? null;
    if ((effect.kind === 'send_bind_code' || effect.kind === 'check_code') && lockedUntil !== null && lockedUntil > now) {
      return { kind: 'bind_locked', retryAfterSeconds: Math.ceil((lockedUntil - now) / 1000) };
    }
    /** A consult for a person (转人工, or a complaint's call back), with the conversation's last messages for context. */
    const openConsult = (about: { accountNo: string | null; applicationNo: string | null }) => {
      const earlier = conversation ? chats.recentInbound(conversation.id, CONSULT_CONTEXT_MESSAGES - 1).map((m) => m.text) : [];
      return consults.open({
        conversationId,
        channel,
        address,
        accountNo: about.accountNo,
        applicationNo: about.applicationNo,
        // earlier messages as recorded, masked again: a record kept before every message was masked may hold a code
        text: [...earlier.map(maskCodes), recorded].join('\n'),
      });
    };
    switch (effect.kind) {
      case 'send_bind_code': {
        const { accountNo } = effect;
        if (state?.kind === 'awaiting_code' && state.accountNo === accountNo && now - state.sentAt < RESEND_AFTER_MS) return { kind: 'bind_code_throttled' };
        // Who asks: the SMS number or WeChat contact; at a kiosk or on the web the client's address, not the session.
        const [requesters, requester] = isNoticeChannel(channel)
          ? [codeRequestsPerAddress, `${channel}:${address}`]
          : message.clientAddress
            ? [codeRequestsPerClient, message.clientAddress]
            : [codeRequestsPerClient, `${channel}:${address}`];
        // Counted and answered before the account is looked up: the same for an account that does not exist.
        const wait = Math.max(requesters.retryAfterSeconds(requester, now), codeRequestsPerAccount.retryAfterSeconds(accountNo, now));
        if (wait > 0) return { kind: 'bind_code_limited', retryAfterSeconds: wait };
        requesters.fail(requester, now);
        codeRequestsPerAccount.fail(accountNo, now);
        const application = latestApplication(accountNo);
        // Unknown account: the same answer, and any code typed later simply fails.
        if (!application) return { kind: 'bind_code_sent', codeHash: null, preface: effect.preface };
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        work.writes.push(() => {
          notices.queue('bind_code', { kind: 'customer', application, only: { channel: 'sms', address: application.phone } }, { code, validMinutes: BIND_CODE_VALID_MINUTES });
        });
        work.wake = true;
        return { kind: 'bind_code_sent', codeHash: codeHash(channel, address, accountNo, code, application.phone), preface: effect.preface };
      }
      case 'check_code': {
        const { accountNo, code } = effect;
        // A code typed here may be the query code, so it is a guess like one sent to POST /api/v1/progress/query and
        // meets the same limits: per client (at a kiosk or on the web the client's address, not the session id it
        // makes up; by SMS or WeChat the sender), per account and client, and the account's hourly ceiling, which a
        // kiosk with its device key does not meet. SMS and WeChat binding codes keep their own per-account lock too.
        const noticeChannel = isNoticeChannel(channel);
        const attempt = noticeChannel
          ? { accountNo, clientAddress: `${channel}:${address}`, kiosk: false }
          : { accountNo, clientAddress: message.clientAddress ?? null, kiosk: message.kioskDevice === true };
        const accountWait = Math.max(
          noticeChannel ? wrongCodesPerAccount.retryAfterSeconds(accountNo, now) : 0,
          queryCodeGuesses.retryAfterSeconds(attempt, now),
        );
        if (accountWait > 0) return { kind: 'bind_locked', retryAfterSeconds: accountWait };
        // What the code proves: the applications whose query code it is, or those with the phone the binding code went to.
        const covered = new Set(ctx.store.applicationsOfAccount(accountNo, queryCodeHmac(ctx.secret, accountNo, code)).map((a) => a.applicationNo));
        if (effect.codeHash !== null) {
          const phones = new Set(chats.applicationNosOfAccount(accountNo).map((no) => ctx.store.application(no)?.phone).filter((x) => x !== undefined));
          const phone = [...phones].find((ph) => sameHash(codeHash(channel, address, accountNo, code, ph), effect.codeHash!));
          if (phone !== undefined) for (const no of chats.applicationNosByPhone(accountNo, phone)) covered.add(no);
        }
        const right = covered.size > 0;
        if (right) {
          queryCodeGuesses.right(attempt);
          if (isNoticeChannel(channel)) {
            // Proving again adds to what the binding covered (one kept before scopes: what it was read as covering).
            // The binding's row is the scope's one record: the chat reads it and notices follow it.
            const binding = (await stores.bindings.boundTo({ channel, address })).find((b) => b.accountNo === accountNo);
            const union = [...new Set([...(binding?.applicationNos ?? []), ...covered])];
            work.writes.push(async (stores) => {
              await stores.bindings.bind({ channel, address, accountNo, at: now, applicationNos: union });
              outbox.clearOptOut(channel, address);
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
        if (noticeChannel) wrongCodesPerAccount.fail(accountNo, now);
        queryCodeGuesses.wrong(attempt, now);
        const failures = (conversation?.bindFailures ?? 0) + 1;
        if (failures >= BIND_MAX_FAILURES) {
          Object.assign(work.patch, { bindFailures: 0, bindLockedUntil: now + BIND_LOCK_MS });
          return { kind: 'bind_locked', retryAfterSeconds: BIND_LOCK_MS / 1000 };
        }
        work.patch.bindFailures = failures;
        return { kind: 'code_wrong', attemptsLeft: BIND_MAX_FAILURES - failures };
      }
      case 'unbind': {
        if (isNoticeChannel(channel)) {
          const count = (await stores.bindings.boundTo({ channel, address })).length;
          work.writes.push(async (stores) => void (await stores.bindings.unbindAll({ channel, address })));
          return { kind: 'unbound', count };
        }
        const had = conversation?.sessionAccountNo && (conversation.sessionUntil ?? 0) > now ? 1 : 0;
        Object.assign(work.patch, { sessionAccountNo: null, sessionUntil: null });
        work.scopes = {};
        return { kind: 'unbound', count: had + (message.viewClaims ? 1 : 0) };
      }
      case 'hurry': {
        try {
          const { hurry, handlerName } = hurries.request({
            applicationNo: effect.applicationNo,
            channel,
            replyAddress: isNoticeChannel(channel) ? address : null,
            message: effect.message,
            // SMS and WeChat: this turn's reply (with the reference number) is the receipt. A kiosk/web session
            // keeps the hurry_received SMS to the application's phone: the customer walks away from the kiosk.
            receiptInReply: isNoticeChannel(channel),
          });
          return { kind: 'hurried', reference: hurry.id, stepName: hurry.stepName, handlerName: handlerName ? maskName(handlerName) : null };
        } catch (error) {
          if (error instanceof JiedianError && error.code === 'JD_HURRY_COOLDOWN') {
            const body = error.extra.body as { retryAfterSeconds?: number; hurryId?: string } | undefined;
            return { kind: 'hurry_cooldown', reference: body?.hurryId ?? null, retryAfterSeconds: body?.retryAfterSeconds ?? 3600 };
          }
          if (error instanceof JiedianError && (error.code === 'JD_NOT_ACTIVE' || error.code === 'JD_NOT_FOUND')) return { kind: 'not_active' };
          const refusal = error instanceof JiedianError && error.code === 'JD_CONFLICT' ? (error.extra.body as Partial<CustomerStepRefusal> | undefined) : undefined;
          if (refusal?.side === 'customer') {
            return { kind: 'customer_step', stepName: refusal.stepName ?? '', customerTasks: refusal.customerTasks ?? [], nextStepName: refusal.nextStep?.name ?? null };
          }
          throw error;
        }
      }
      case 'opt_out':
        if (isNoticeChannel(channel)) work.writes.push(() => outbox.optOut(channel, address, now, 'chat'));
        return { kind: 'opted_out' };
      case 'mute':
      case 'unmute': {
        // A kiosk or web session is no notice address: what it says holds for every address of the application.
        const target = isNoticeChannel(channel) ? { channel, address } : EVERY_ADDRESS;
        const { applicationNo } = effect;
        if (effect.kind === 'mute') {
          work.writes.push(() => options.mutes.mute(applicationNo, target.channel, target.address, channel, now));
          return { kind: 'muted', applicationNo };
        }
        work.writes.push(() => void options.mutes.unmute(applicationNo, target.channel, target.address, now));
        return { kind: 'unmuted', applicationNo };
      }
      case 'consult': {
        const { consult, existing } = openConsult(effect);
        if (effect.applicationNo && !existing) risks.record({ applicationNo: effect.applicationNo, kind: 'consult', source: channel, detail: consult.id });
        return { kind: 'consult_opened', reference: consult.id, existing };
      }
      case 'complaint': {
        // A person is asked to call back (a consult in the team lead's queue); the application's risk item goes urgent.
        const { consult } = openConsult(effect);
        let contact: { name: string; phone: string } | null = null;
        if (effect.applicationNo) {
          risks.record({ applicationNo: effect.applicationNo, kind: 'complaint', source: channel, detail: recorded });
          const { handler } = responsibleFor(ctx, effect.applicationNo);
          if (handler) contact = { name: maskName(handler.name), phone: handler.phone };
        }
        return { kind: 'complaint_recorded', reference: consult.id, contact };
      }
      case 'rating': {
        // An SMS reply from the number the question went to counts for that application, bound or not.
        const candidates = [...effect.applicationNos, ...(channel === 'sms' ? ratings.askedOfPhone(address) : [])];
        const applicationNo = ratings.pendingAmong(candidates);
        if (!applicationNo) return candidates.some((no) => ratings.ofApplication(no) !== null) ? { kind: 'rating_closed' } : { kind: 'rating_not_asked' };
        const outcome = ratings.rate({ applicationNo, score: effect.score, comment: effect.comment === null ? null : maskCodes(effect.comment), channel });
        if (outcome.kind === 'rated') return { kind: 'rated', score: outcome.score, replaced: outcome.replaced, followUp: outcome.followUp };
        return outcome.kind === 'closed' ? { kind: 'rating_closed' } : { kind: 'rating_not_asked' };
      }
    }
  }

  function stateFields(change: StateChange, prior: StoredChatState<ConversationState>, scopes: Record<string, string[]> | undefined, now: number): Partial<ConversationRow> {
    const kept = scopes ?? prior.scopes;
    if (change.kind === 'set') return { state: chatStateColumn({ dialogue: change.state, scopes: kept }), stateExpiresAt: now + stateTtlMs[change.state.kind] };
    if (change.kind === 'clear') return { state: chatStateColumn({ dialogue: null, scopes: kept }), stateExpiresAt: null };
    return { state: chatStateColumn({ dialogue: prior.dialogue, scopes: kept }) };
  }

  /**
   * Codes and query codes are kept out of the record: in every message whatever it says, any run that could be one;
   * in a message answering an awaited code, any run of 4 or more letters and digits (a short query code too).
   */
  const recordedText = (text: string, secret: boolean) => {
    const masked = maskCodes(text);
    return secret ? masked.replace(/[0-9a-zA-Z０-９ａ-ｚＡ-Ｚ]{4,}/g, CODE_MASK) : masked;
  };

  async function handle(message: InboundChatMessage): Promise<ChatResult> {
    const now = ctx.clock.now();
    const text = message.text.slice(0, MAX_CHAT_TEXT);
    if (message.providerMessageId) {
      const again = chats.redelivered(message.channel, message.providerMessageId);
      if (again) return { intent: (again.intent ?? 'unknown') as Intent, replies: again.replies, template: null };
    }
    const conversation = chats.conversation(message.channel, message.address);
    const conversationId = conversation?.id ?? randomUUID();
    const stored = readChatState<ConversationState>(conversation?.state ?? null);
    const state = stored.dialogue && (conversation?.stateExpiresAt ?? 0) > now ? stored.dialogue : null;
    const today = calendarDateOf(now, ctx.timeZone);
    const understanding = classify(normalize(text), { knowledge: knowledge.index(), today });

    // A group message is never answered from the sender's accounts (dialogue.respond says nothing private there).
    const needsAccounts =
      message.public !== true &&
      (isApplicationIntent(understanding.intent) ||
        understanding.intent === 'unsubscribe' ||
        understanding.intent === 'bind_account' ||
        (['human', 'complaint', 'rating'] as Intent[]).includes(understanding.intent) ||
        state?.kind === 'menu' ||
        state?.kind === 'choose_application');
    const input = { channel: message.channel, now, today, understanding, state, public: message.public === true };
    const facts = { accounts: needsAccounts ? await accountsOf(message, conversation, now) : [], bindLockedUntil: conversation?.bindLockedUntil ?? null };
    const turn = respond(input, facts);

    const work: TurnWork = { writes: [], patch: {}, wake: false };
    let replies = turn.replies;
    let stateChange = turn.state;
    let outcome: EffectOutcome | null = null;
    if (turn.effect) {
      outcome = await carryOut(turn.effect, message, recordedText(text, turn.secret), conversation, conversationId, state, now, work);
      ({ replies, state: stateChange } = settle(turn, outcome, input));
    }
    // A kiosk/web session stays bound while it is in use.
    if (!isNoticeChannel(message.channel) && conversation?.sessionAccountNo && (conversation.sessionUntil ?? 0) > now && work.patch.sessionAccountNo === undefined) {
      work.patch.sessionUntil = now + SESSION_TTL_MS;
    }

    const base: ConversationRow = conversation ?? {
      id: conversationId,
      channel: message.channel,
      address: message.address,
      state: null,
      stateExpiresAt: null,
      bindFailures: 0,
      bindLockedUntil: null,
      sessionAccountNo: null,
      sessionUntil: null,
      createdAt: now,
      lastMessageAt: now,
    };
    await transact(async (stores) => {
      // An SMS number's or WeChat contact's scope is on its bindings: none is kept in its conversation's state.
      const scopes = isNoticeChannel(message.channel) ? {} : work.scopes;
      chats.saveConversation({ ...base, ...stateFields(stateChange, stored, scopes, now), ...work.patch, lastMessageAt: now });
      for (const write of work.writes) await write(stores);
      const inbound = chats.insertMessage({
        conversationId,
        direction: 'in',
        text: recordedText(text, turn.secret),
        intent: turn.intent,
        providerMessageId: message.providerMessageId ?? null,
        at: now,
      });
      for (const r of replies) chats.insertMessage({ conversationId, direction: 'out', text: r, replyTo: inbound, at: now });
    });
    if (turn.contactAbout) risks.record({ applicationNo: turn.contactAbout, kind: 'progress_question', source: message.channel, detail: recordedText(text, turn.secret) });
    if (work.wake) options.wakeDispatcher();
    const views = facts.accounts.flatMap((account) => account.applications);
    return { intent: turn.intent, replies, template: templateReply({ replies, views, today, knowledge: understanding.knowledge, effect: turn.effect, outcome, state: stateChange }) };
  }

  return {
    handle,
    /** The provider-neutral inbound SMS (Twilio webhook, a mainland provider's uplink): answered as the `sms` channel. */
    handleSms(sms: InboundSms): Promise<ChatResult> {
      return handle({ channel: 'sms', address: normalizeSmsAddress(sms.from), text: sms.text, providerMessageId: sms.providerMessageId });
    },
    /** A conversation's record, oldest first (tests, staff tools). */
    transcript(channel: ChatChannel, address: string) {
      const conversation = chats.conversation(channel, address);
      return conversation ? chats.messagesOf(conversation.id) : [];
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;

/**
 * Feeds the Wechaty bot's messages to the chat service and says the replies back (in a group, mentioning the
 * sender). Returns a function that detaches the handler.
 */
export function wireWeChatBot(channel: WechatyWeChatChannel, chat: ChatService, log: Pick<FastifyBaseLogger, 'warn'>): () => void {
  return channel.onMessage(async (message) => {
    const result = await chat.handle({ channel: 'wechat', address: message.contactId, text: message.text, providerMessageId: message.messageId, public: message.inGroup });
    for (const text of result.replies) {
      try {
        await message.reply(text);
      } catch (error) {
        // The turn is recorded; a reply lost to a dropped connection is asked again by the customer.
        log.warn({ channel: 'wechat', messageId: message.messageId, err: error }, 'WeChat reply could not be sent');
        return;
      }
    }
  });
}
