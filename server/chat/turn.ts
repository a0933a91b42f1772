// One chat turn for every channel (WeChat, SMS, Official Account, kiosk/web): understand the message, decide the
// answer through the pure dialogue core, carry out its effect, and record the exchange.
import { calendarDateOf } from '../domain/dates.ts';
import { normalize } from '../domain/chat/normalize.ts';
import { classify, isApplicationIntent, type Intent } from '../domain/chat/intents.ts';
import { templateReply } from '../domain/chat/template-replies.ts';
import { respond, settle, type AccountFacts, type ConversationState, type EffectOutcome } from '../domain/chat/dialogue.ts';
import { readChatState } from './chat-store.ts';
import { normalizeSmsAddress, type InboundSms } from '../../channels/sms-inbound.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { RiskService } from '../risks/risk-items.ts';
import { isSessionBound, SESSION_TTL_MS, type Binding } from './binding.ts';
import type { Effects } from './effects.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import { recordedText, type ChatRecord } from './messages.ts';
import { isNoticeChannel, MAX_CHAT_TEXT, type ChatResult, type InboundChatMessage, type TurnWork } from './turn-context.ts';

export interface ChatTurnsOptions {
  ctx: ServiceContext;
  record: ChatRecord;
  binding: Binding;
  effects: Effects;
  knowledge: KnowledgeBase;
  /** a question about progress is a complaint-risk signal */
  risks: Pick<RiskService, 'record' | 'applicationOfPhone'>;
  /** after commit: deliver notices just queued (the binding code) */
  wakeDispatcher: () => void;
}

export function createChatTurns({ ctx, record, binding, effects, knowledge, risks, wakeDispatcher }: ChatTurnsOptions) {
  /**
   * Complaint language in a message whose intent is another ("退订，再发我就投诉"): the other is carried out, and the
   * complaint is a risk signal for the sender's application all the same.
   */
  async function complaintBeside(message: InboundChatMessage, accounts: AccountFacts[], recorded: string): Promise<void> {
    const views = accounts.flatMap((a) => a.applications);
    const applicationNo =
      (views.find((v) => v.status === 'active') ?? views[0])?.applicationNo ?? (message.channel === 'sms' ? await risks.applicationOfPhone(message.address) : null);
    if (applicationNo) await risks.record({ applicationNo, kind: 'complaint', source: message.channel, detail: recorded });
  }


  async function handle(message: InboundChatMessage): Promise<ChatResult> {
    const now = ctx.clock.now();
    const text = message.text.slice(0, MAX_CHAT_TEXT);
    if (message.providerMessageId) {
      const again = await record.redelivered(message.channel, message.providerMessageId);
      if (again) return { intent: (again.intent ?? 'unknown') as Intent, replies: again.replies, template: null };
    }
    const conversation = await record.conversation(message.channel, message.address, now);
    const conversationId = conversation.id;
    const prior = readChatState<ConversationState>(conversation.state ?? null);
    const state = prior.dialogue && (conversation.stateExpiresAt ?? 0) > now ? prior.dialogue : null;

    // understand
    const today = calendarDateOf(now, ctx.timeZone);
    const understanding = classify(normalize(text), { knowledge: await knowledge.index(), today });

    // decide: a group message is never answered from the sender's accounts (respond says nothing private there)
    const needsAccounts =
      message.public !== true &&
      (isApplicationIntent(understanding.intent) ||
        understanding.intent === 'unsubscribe' ||
        understanding.intent === 'bind_account' ||
        (['human', 'complaint', 'rating'] as Intent[]).includes(understanding.intent) ||
        understanding.complaint ||
        state?.kind === 'menu' ||
        state?.kind === 'choose_application');
    const input = { channel: message.channel, now, today, understanding, state, public: message.public === true };
    const accounts = needsAccounts ? await binding.accountsOf(message, conversation, now) : [];
    // A lone 1–5 while a menu is open answers the rating question when one is waiting for this sender.
    const awaitingRating =
      state?.kind === 'menu' && /^[1-5]$/.test(understanding.normalized.compact) && (await effects.awaitsRating(accounts.flatMap((a) => a.applications.map((v) => v.applicationNo)), message));
    const facts = { accounts, bindLockedUntil: conversation.bindLockedUntil ?? null, awaitingRating };
    const turn = respond(input, facts);
    const recorded = recordedText(text, turn.secret);

    // carry out
    const work: TurnWork = { writes: [], patch: {}, wake: false };
    let replies = turn.replies;
    let stateChange = turn.state;
    let outcome: EffectOutcome | null = null;
    if (turn.effect) {
      outcome = await effects.carryOut(turn.effect, { message, recorded, conversation, conversationId, state, now, work });
      ({ replies, state: stateChange } = settle(turn, outcome, input));
    }
    // A kiosk/web session stays bound while it is in use.
    if (!isNoticeChannel(message.channel) && isSessionBound(conversation, now) && work.patch.sessionAccountNo === undefined) {
      work.patch.sessionUntil = now + SESSION_TTL_MS;
    }

    await record.record({ message, conversation, prior, stateChange, work, recorded, intent: turn.intent, replies, now });
    if (understanding.complaint && message.public !== true && turn.effect?.kind !== 'complaint') await complaintBeside(message, facts.accounts, recorded);
    if (turn.contactAbout) await risks.record({ applicationNo: turn.contactAbout, kind: 'progress_question', source: message.channel, detail: recorded });
    if (work.wake) wakeDispatcher();
    const views = facts.accounts.flatMap((account) => account.applications);
    return { intent: turn.intent, replies, template: templateReply({ replies, views, today, knowledge: understanding.knowledge, effect: turn.effect, outcome, state: stateChange }) };
  }

  return {
    handle,
    /** The provider-neutral inbound SMS (Twilio webhook, a mainland provider's uplink): answered as the `sms` channel. */
    handleSms(sms: InboundSms): Promise<ChatResult> {
      return handle({ channel: 'sms', address: normalizeSmsAddress(sms.from), text: sms.text, providerMessageId: sms.providerMessageId });
    },
    transcript: record.transcript,
  };
}

export type ChatTurns = ReturnType<typeof createChatTurns>;
