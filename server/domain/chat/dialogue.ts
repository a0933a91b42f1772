// The conversation as a state machine: what was understood + what the sender may see → replies, the next
// state, and at most one effect for the chat service to carry out (binding, hurry, opt-out, a person).
import type { CalendarDate } from '../dates.ts';
import type { ProgressView } from '../progress-view.ts';
import { codeCandidate, sameApplicationNo } from './entities.ts';
import {
  aboutOneApplication,
  asksHow,
  asksToResume,
  bindAction,
  greetingKind,
  isApplicationIntent,
  namedApplication,
  type ApplicationIntent,
  type Intent,
  type Understanding,
} from './intents.ts';
import * as say from './replies.ts';
import { readRating } from '../rating.ts';
import type { ChatChannel } from './replies.ts';

export type { ChatChannel } from './replies.ts';

export const BIND_CODE_VALID_MINUTES = 10;
const MINUTE = 60_000;

export type ConversationState =
  /** a binding code was asked for `accountNo`; `codeHash` is null when nothing could be sent (unknown account) */
  | { kind: 'awaiting_code'; accountNo: string; codeHash: string | null; sentAt: number }
  /** the numbered menu was shown: a digit picks an item */
  | { kind: 'menu' }
  /** several applications could be meant: a digit or an application number picks one */
  | { kind: 'choose_application'; intent: ChoiceIntent; applicationNos: string[]; message: string | null; date: CalendarDate | null };

/** What a choice among applications is for: an answer about it, or muting / unmuting its notices (免打扰). */
export type ChoiceIntent = ApplicationIntent | 'mute' | 'unmute';

/** The intent a mute or unmute is reported as: stopping notices is unsubscribe's, starting them again binding's. */
const choiceIntent = (intent: ChoiceIntent): Intent => (intent === 'mute' ? 'unsubscribe' : intent === 'unmute' ? 'bind_account' : intent);

/** How long each state waits for the customer's next message. */
export const stateTtlMs: Record<ConversationState['kind'], number> = {
  awaiting_code: BIND_CODE_VALID_MINUTES * MINUTE,
  menu: 10 * MINUTE,
  choose_application: 10 * MINUTE,
};

export type StateChange = { kind: 'keep' } | { kind: 'clear' } | { kind: 'set'; state: ConversationState };

export type Effect =
  | { kind: 'send_bind_code'; accountNo: string; preface: string | null }
  | { kind: 'check_code'; accountNo: string; code: string; codeHash: string | null }
  | { kind: 'unbind' }
  | { kind: 'hurry'; applicationNo: string; message: string | null }
  | { kind: 'opt_out' }
  /** mute / unmute one application's notices for this sender (a kiosk or web session: for every address) */
  | { kind: 'mute'; applicationNo: string }
  | { kind: 'unmute'; applicationNo: string }
  | { kind: 'consult'; accountNo: string | null; applicationNo: string | null }
  /**
   * complaint language: a person is asked to call back, and the application is at risk of a complaint; a score given
   * with it ("1分 我要投诉") is also an answer to the satisfaction follow-up of one of `applicationNos`
   */
  | { kind: 'complaint'; accountNo: string | null; applicationNo: string | null; rating: { score: number; comment: string | null; applicationNos: string[] } | null }
  /** an answer to the satisfaction follow-up: for the latest of these applications asked to rate */
  | { kind: 'rating'; score: number; comment: string | null; applicationNos: string[] };

export type EffectOutcome =
  | { kind: 'bind_code_sent'; codeHash: string | null; preface: string | null }
  | { kind: 'bind_code_throttled' }
  /** too many codes asked (this address or client, or this account): no SMS; a query code typed next still binds */
  | { kind: 'bind_code_limited'; retryAfterSeconds: number }
  | { kind: 'bind_locked'; retryAfterSeconds: number }
  | { kind: 'bound'; accountNo: string }
  | { kind: 'code_wrong'; attemptsLeft: number }
  | { kind: 'unbound'; count: number }
  | { kind: 'hurried'; reference: string; stepName: string; handlerName: string | null }
  | { kind: 'hurry_cooldown'; reference: string | null; retryAfterSeconds: number }
  | { kind: 'not_active' }
  /** the current step is the customer's own work: nothing for the utility to hurry */
  | { kind: 'customer_step'; stepName: string; customerTasks: string[]; nextStepName: string | null }
  | { kind: 'opted_out' }
  | { kind: 'muted'; applicationNo: string }
  | { kind: 'unmuted'; applicationNo: string }
  | { kind: 'consult_opened'; reference: string; existing: boolean }
  | { kind: 'complaint_recorded'; reference: string; contact: { name: string; phone: string } | null }
  | { kind: 'rated'; score: number; replaced: boolean; followUp: boolean }
  | { kind: 'rating_closed' }
  | { kind: 'rating_not_asked' };

export interface AccountFacts {
  accountNo: string;
  /** the customer's views of the account's applications, newest first */
  applications: ProgressView[];
}

export interface DialogueInput {
  channel: ChatChannel;
  now: number;
  today: CalendarDate;
  understanding: Understanding;
  /** the unexpired state, or null */
  state: ConversationState | null;
  /** a group chat where the bot was mentioned: nothing private is said there */
  public: boolean;
}

export interface DialogueFacts {
  /** the accounts this sender has proved, with their applications; empty when unbound */
  accounts: AccountFacts[];
  /** binding is locked for this address until then (too many wrong codes) */
  bindLockedUntil: number | null;
  /** the rating question went to this sender and is not answered yet: a lone 1–5 answers it, whatever menu is open */
  awaitingRating?: boolean;
}

export interface Turn {
  intent: Intent;
  replies: string[];
  state: StateChange;
  /** carried out by the service; `settle` then gives the replies */
  effect: Effect | null;
  /** the message held a code or query code: record it masked */
  secret: boolean;
  /** a question about this application's progress: a contact the complaint-risk rules count */
  contactAbout?: string;
}

const KEEP: StateChange = { kind: 'keep' };
const CLEAR: StateChange = { kind: 'clear' };

function reply(intent: Intent, replies: string[], state: StateChange = KEEP): Turn {
  return { intent, replies, state, effect: null, secret: false };
}

function act(intent: Intent, effect: Effect, state: StateChange = KEEP, secret = false): Turn {
  return { intent, replies: [], state, effect, secret };
}

const menuItems: Record<string, { intent: Intent; apply?: ApplicationIntent }> = {
  '1': { intent: 'query_progress', apply: 'query_progress' },
  '2': { intent: 'customer_tasks', apply: 'customer_tasks' },
  '3': { intent: 'handler_contact', apply: 'handler_contact' },
  '4': { intent: 'expected_date', apply: 'expected_date' },
  '5': { intent: 'hurry', apply: 'hurry' },
  '6': { intent: 'bind_account' },
  '7': { intent: 'human' },
  '8': { intent: 'unsubscribe' },
};

/** Decides the turn. Pure: the service loads the facts first and carries out the effect after. */
export function respond(input: DialogueInput, facts: DialogueFacts): Turn {
  const { understanding, state, channel } = input;
  const { compact } = understanding.normalized;
  const locked = facts.bindLockedUntil !== null && facts.bindLockedUntil > input.now;

  // 0. A group chat: the private conversation's state is neither answered nor changed there, and nothing about an
  // application is said (a digit meant for a choice offered in private would otherwise post its progress).
  if (input.public) return { ...publicTurn(input), state: KEEP };

  // 1. The state machine first: an awaited code, a menu number, a choice among applications.
  if (state?.kind === 'awaiting_code' && understanding.via !== 'command') {
    const code = codeCandidate(compact, understanding.entities);
    if (code !== null && code !== state.accountNo && bindAction(compact, understanding.entities) !== 'bind' && bindAction(compact, understanding.entities) !== 'unbind') {
      if (locked) return { ...reply('bind_account', [say.bindLocked(minutesLeft(facts.bindLockedUntil!, input.now))], CLEAR), secret: true };
      return act('bind_account', { kind: 'check_code', accountNo: state.accountNo, code, codeHash: state.codeHash }, KEEP, true);
    }
    if (code !== null && code === state.accountNo) return resend(input, facts, state.accountNo);
  }
  if (state?.kind === 'menu' && /^[1-5]$/.test(compact) && facts.awaitingRating) return ratingTurn(input, facts);
  if (state?.kind === 'menu' && /^[1-8]$/.test(compact)) {
    const item = menuItems[compact]!;
    if (item.apply) return applicationTurn(input, facts, item.apply, null);
    if (item.intent === 'bind_account') return reply('bind_account', [say.bindHowTo(channel)], CLEAR);
    if (item.intent === 'human') return humanTurn(input, facts);
    return unsubscribeTurn(input, true);
  }
  if (state?.kind === 'choose_application') {
    const picked = pickFromChoice(state, compact, understanding.entities.applicationNos);
    if (picked) return answerFor(input, facts, state.intent, picked, state.message, state.date, CLEAR);
  }

  // 2. Then what the message says.
  return byIntent(input, facts);
}

/** A message in a group where the bot was mentioned: general answers only, never the private state's next step. */
function publicTurn(input: DialogueInput): Turn {
  const { understanding, state } = input;
  const { compact } = understanding.normalized;
  const answersState =
    state !== null &&
    (/^\d{1,2}$/.test(compact) ||
      (state.kind === 'awaiting_code' && codeCandidate(compact, understanding.entities) !== null) ||
      (state.kind === 'choose_application' && pickFromChoice(state, compact, understanding.entities.applicationNos) !== null));
  if (answersState) {
    const intent: Intent = state.kind === 'choose_application' ? choiceIntent(state.intent) : state.kind === 'awaiting_code' ? 'bind_account' : understanding.intent;
    return { ...reply(intent, [say.privateInGroup]), secret: state.kind === 'awaiting_code' };
  }
  // No account facts in a group: every branch below answers a public message without them.
  return byIntent(input, { accounts: [], bindLockedUntil: null });
}

function byIntent(input: DialogueInput, facts: DialogueFacts): Turn {
  const { understanding, channel } = input;
  const { compact } = understanding.normalized;
  const intent = understanding.intent;
  if (isApplicationIntent(intent)) {
    const message = understanding.via === 'command' ? null : understanding.normalized.raw.trim() || null;
    return applicationTurn(input, facts, intent, intent === 'hurry' ? message : null);
  }
  switch (intent) {
    case 'greeting':
      if (greetingKind(compact) === 'thanks' || (compact === '' && !/[?？]/.test(understanding.normalized.raw))) return reply('greeting', [say.thanks], CLEAR);
      return reply('greeting', [say.menu(channel)], { kind: 'set', state: { kind: 'menu' } });
    case 'faq':
      return reply('faq', [understanding.knowledge ? understanding.knowledge.entry.answer : say.notFound(channel)]);
    case 'unsubscribe': {
      const named = namedApplication(compact, understanding.entities);
      if (named || aboutOneApplication(compact)) return muteTurn(input, facts, 'mute', named);
      return unsubscribeTurn(input, understanding.via === 'command' || !asksHow(compact));
    }
    case 'human':
      return humanTurn(input, facts);
    case 'complaint':
      return complaintTurn(input, facts);
    case 'rating':
      return ratingTurn(input, facts);
    case 'bind_account':
      return bindTurn(input, facts);
    default:
      return reply('unknown', [say.notFound(channel)]);
  }
}

function minutesLeft(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / MINUTE));
}

function resend(input: DialogueInput, facts: DialogueFacts, accountNo: string): Turn {
  if (facts.bindLockedUntil !== null && facts.bindLockedUntil > input.now) {
    return reply('bind_account', [say.bindLocked(minutesLeft(facts.bindLockedUntil, input.now))], CLEAR);
  }
  return act('bind_account', { kind: 'send_bind_code', accountNo, preface: null });
}

function bindTurn(input: DialogueInput, facts: DialogueFacts): Turn {
  const { understanding, state, channel } = input;
  if (input.public) return reply('bind_account', [say.privateInGroup]);
  const { compact } = understanding.normalized;
  const named = namedApplication(compact, understanding.entities);
  if (understanding.entities.accountNos.length === 0 && (asksToResume(compact) || (named && /^bd/.test(compact)))) {
    return muteTurn(input, facts, 'unmute', named);
  }
  const action = bindAction(compact, understanding.entities);
  switch (action) {
    case 'unbind':
      return act('bind_account', { kind: 'unbind' }, CLEAR);
    case 'switch':
      return reply('bind_account', [say.switchHowTo]);
    case 'resend':
      return state?.kind === 'awaiting_code' ? resend(input, facts, state.accountNo) : reply('bind_account', [say.resendWithoutBinding]);
    case 'bind':
      return resend(input, facts, understanding.entities.accountNos[0]!);
    case 'code':
      return { ...reply('bind_account', [say.codeWithoutBinding]), secret: true };
    default:
      return reply('bind_account', [say.bindHowTo(channel)]);
  }
}

function unsubscribeTurn(input: DialogueInput, doIt: boolean): Turn {
  const { channel } = input;
  if (input.public) return reply('unsubscribe', [say.privateInGroup]);
  if (channel === 'kiosk' || channel === 'web' || !doIt) return reply('unsubscribe', [say.unsubscribeHowTo(channel)], CLEAR);
  return act('unsubscribe', { kind: 'opt_out' }, CLEAR);
}

/**
 * Mutes or unmutes one application's notices: the one named, else the sender's only (active) application, else a
 * choice among them. Only applications the sender has proved.
 */
function muteTurn(input: DialogueInput, facts: DialogueFacts, action: 'mute' | 'unmute', named: string | null): Turn {
  const intent = choiceIntent(action);
  if (input.public) return reply(intent, [say.privateInGroup]);
  if (facts.accounts.length === 0) return reply(intent, [say.mustBind(input.channel)]);
  const all = facts.accounts.flatMap((a) => a.applications);
  if (named) {
    const found = all.find((a) => sameApplicationNo(a.applicationNo, named));
    return found ? act(intent, { kind: action, applicationNo: found.applicationNo }, CLEAR) : reply(intent, [say.notYours]);
  }
  const active = all.filter((a) => a.status === 'active');
  const candidates = active.length > 0 ? active : all;
  if (candidates.length === 1) return act(intent, { kind: action, applicationNo: candidates[0]!.applicationNo }, CLEAR);
  return reply(intent, [say.chooseApplication(candidates)], {
    kind: 'set',
    state: { kind: 'choose_application', intent: action, applicationNos: candidates.map((a) => a.applicationNo), message: null, date: null },
  });
}

function humanTurn(input: DialogueInput, facts: DialogueFacts): Turn {
  if (input.public) return reply('human', [say.humanInGroup]);
  const account = facts.accounts[0];
  const application = account && (account.applications.find((a) => a.status === 'active') ?? account.applications[0]);
  return act('human', { kind: 'consult', accountNo: account?.accountNo ?? null, applicationNo: application?.applicationNo ?? null }, CLEAR);
}

function complaintTurn(input: DialogueInput, facts: DialogueFacts): Turn {
  if (input.public) return reply('complaint', [say.complaintInGroup]);
  const account = facts.accounts[0];
  const application = account && (account.applications.find((a) => a.status === 'active') ?? account.applications[0]);
  const { scores, normalized } = input.understanding;
  const answer = (scores.rating ?? 0) > 0 ? readRating(normalized.compact, normalized.raw) : null;
  const rating = answer && { ...answer, applicationNos: facts.accounts.flatMap((a) => a.applications.map((v) => v.applicationNo)) };
  return act('complaint', { kind: 'complaint', accountNo: account?.accountNo ?? null, applicationNo: application?.applicationNo ?? null, rating }, CLEAR);
}

/** "5", "不满意，太慢了": the score and comment, for whichever of the sender's applications was asked to rate. */
function ratingTurn(input: DialogueInput, facts: DialogueFacts): Turn {
  if (input.public) return reply('rating', [say.privateInGroup]);
  const answer = readRating(input.understanding.normalized.compact, input.understanding.normalized.raw);
  if (!answer) return reply('rating', [say.ratingNotAsked]);
  const applicationNos = facts.accounts.flatMap((a) => a.applications.map((v) => v.applicationNo));
  return act('rating', { kind: 'rating', score: answer.score, comment: answer.comment, applicationNos }, CLEAR);
}

/** Which application a question is about; binding comes first for anything the sender has not proved. */
function applicationTurn(input: DialogueInput, facts: DialogueFacts, intent: ApplicationIntent, message: string | null): Turn {
  const { understanding, channel } = input;
  if (input.public) return reply(intent, [say.privateInGroup]);
  const { entities } = understanding;
  const date = entities.dates[0] ?? null;
  const all = facts.accounts.flatMap((a) => a.applications);

  const named = entities.applicationNos[0];
  if (named) {
    const found = all.find((a) => sameApplicationNo(a.applicationNo, named));
    if (found) return answerFor(input, facts, intent, found, message, date, CLEAR);
    return reply(intent, [facts.accounts.length === 0 ? say.mustBind(channel) : say.notYours]);
  }

  let candidates = all;
  const account = entities.accountNos[0];
  if (account) {
    const proved = facts.accounts.find((a) => a.accountNo === account);
    // An account the sender has not proved: start binding it, saying nothing about it.
    if (!proved) {
      if (facts.bindLockedUntil !== null && facts.bindLockedUntil > input.now) {
        return reply(intent, [say.bindLocked(minutesLeft(facts.bindLockedUntil, input.now))]);
      }
      return act(intent, { kind: 'send_bind_code', accountNo: account, preface: '查询该户号需先验证身份。' });
    }
    candidates = proved.applications;
  }

  if (facts.accounts.length === 0) {
    return reply(intent, [intent === 'customer_tasks' ? `${say.customerTasksGeneral}${say.bindHowTo(channel)}` : say.mustBind(channel)]);
  }
  const active = candidates.filter((a) => a.status === 'active');
  if (active.length === 1) return answerFor(input, facts, intent, active[0]!, message, date, CLEAR);
  if (active.length > 1) {
    return reply(intent, [say.chooseApplication(active)], {
      kind: 'set',
      state: { kind: 'choose_application', intent, applicationNos: active.map((a) => a.applicationNo), message, date },
    });
  }
  const latest = candidates[0];
  if (!latest) return reply(intent, [say.mustBind(channel)]);
  return answerFor(input, facts, intent, latest, message, date, CLEAR);
}

function pickFromChoice(state: Extract<ConversationState, { kind: 'choose_application' }>, compact: string, named: string[]): string | null {
  if (/^\d{1,2}$/.test(compact)) return state.applicationNos[Number(compact) - 1] ?? null;
  const byNo = named[0] && state.applicationNos.find((no) => sameApplicationNo(no, named[0]!));
  return byNo || null;
}

function answerFor(
  input: DialogueInput,
  facts: DialogueFacts,
  intent: ChoiceIntent,
  target: ProgressView | string,
  message: string | null,
  date: CalendarDate | null,
  state: StateChange,
): Turn {
  const view = typeof target === 'string' ? facts.accounts.flatMap((a) => a.applications).find((a) => a.applicationNo === target) : target;
  // The choice was offered from the same facts; an application gone since (re-bound elsewhere) is simply not there.
  if (!view) return reply(choiceIntent(intent), [say.notYours], CLEAR);
  const today = input.today;
  switch (intent) {
    case 'mute':
    case 'unmute':
      return act(choiceIntent(intent), { kind: intent, applicationNo: view.applicationNo }, state);
    case 'query_progress':
      return { ...reply(intent, [say.progress(view, today)], state), contactAbout: view.applicationNo };
    case 'customer_tasks':
      return reply(intent, [say.customerTasks(view)], state);
    case 'handler_contact':
      return reply(intent, [say.handlerContact(view)], state);
    case 'expected_date':
      return { ...reply(intent, [say.expectedDate(view, today, date)], state), contactAbout: view.applicationNo };
    case 'hurry':
      if (view.status !== 'active' || view.currentStep === null) return reply(intent, [say.notActive], state);
      return act(intent, { kind: 'hurry', applicationNo: view.applicationNo, message }, state);
  }
}

/** The replies once the effect has been carried out, and the state after it. */
export function settle(turn: Turn, outcome: EffectOutcome, input: Pick<DialogueInput, 'channel' | 'now'> & { state?: ConversationState | null }): { replies: string[]; state: StateChange } {
  switch (outcome.kind) {
    case 'bind_code_sent': {
      const accountNo = turn.effect?.kind === 'send_bind_code' ? turn.effect.accountNo : '';
      const text = `${outcome.preface ?? ''}${say.bindCodeSent}`;
      return { replies: [text], state: { kind: 'set', state: { kind: 'awaiting_code', accountNo, codeHash: outcome.codeHash, sentAt: input.now } } };
    }
    case 'bind_code_throttled':
      return { replies: [say.bindCodeThrottled], state: KEEP };
    case 'bind_code_limited': {
      const accountNo = turn.effect?.kind === 'send_bind_code' ? turn.effect.accountNo : '';
      const minutes = Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60));
      // A code already on its way for this account stays valid; else the query code may still be typed.
      const awaiting: StateChange = { kind: 'set', state: { kind: 'awaiting_code', accountNo, codeHash: null, sentAt: input.now } };
      return { replies: [say.bindCodeLimited(minutes)], state: input.state?.kind === 'awaiting_code' && input.state.accountNo === accountNo ? KEEP : awaiting };
    }
    case 'bind_locked':
      return { replies: [say.bindLocked(Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60)))], state: CLEAR };
    case 'bound':
      return { replies: [say.bound(outcome.accountNo, input.channel)], state: CLEAR };
    case 'code_wrong':
      return { replies: [say.codeWrong(outcome.attemptsLeft)], state: KEEP };
    case 'unbound':
      return { replies: [say.unbound(outcome.count)], state: CLEAR };
    case 'hurried':
      return { replies: [say.hurried(outcome.reference, outcome.stepName, outcome.handlerName)], state: turn.state };
    case 'hurry_cooldown':
      return { replies: [say.hurryCooldown(outcome.reference, outcome.retryAfterSeconds)], state: turn.state };
    case 'not_active':
      return { replies: [say.notActive], state: turn.state };
    case 'customer_step':
      return { replies: [say.customerStepNotHurried(outcome.stepName, outcome.customerTasks, outcome.nextStepName)], state: turn.state };
    case 'opted_out':
      return { replies: [say.optedOut(input.channel)], state: CLEAR };
    case 'muted':
      return { replies: [say.muted(outcome.applicationNo, input.channel)], state: CLEAR };
    case 'unmuted':
      return { replies: [say.unmuted(outcome.applicationNo)], state: CLEAR };
    case 'consult_opened':
      return { replies: [say.consultOpened(outcome.reference, outcome.existing)], state: CLEAR };
    case 'complaint_recorded':
      return { replies: [say.complaintRecorded(outcome.reference, outcome.contact)], state: CLEAR };
    case 'rated':
      return { replies: [say.rated(outcome.score, outcome.replaced, outcome.followUp)], state: CLEAR };
    case 'rating_closed':
      return { replies: [say.ratingClosed], state: CLEAR };
    case 'rating_not_asked':
      return { replies: [say.ratingNotAsked], state: CLEAR };
  }
}
