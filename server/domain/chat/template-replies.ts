// A chat turn's answer as a template SMS (Aliyun, Tencent): which reply template fits it and with what values.
// Found from what the turn did (its effect's outcome, the choice it offers) and, for plain answers, by comparing the
// answer with what each template stands for, so the dialogue itself stays provider-neutral.
import type { CalendarDate } from '../dates.ts';
import type { ProgressView } from '../progress-view.ts';
import type { ReplyTemplateKind } from '../sms-template-maps.ts';
import type { Effect, EffectOutcome, StateChange } from './dialogue.ts';
import { BIND_CODE_VALID_MINUTES } from './dialogue.ts';
import type { KnowledgeMatch } from './knowledge-base.ts';
import * as say from './replies.ts';

export interface TemplateReply {
  template: ReplyTemplateKind;
  variables: Record<string, string | null>;
}

export interface TemplateReplyInput {
  replies: string[];
  /** the applications the sender could be answered about */
  views: ProgressView[];
  today: CalendarDate;
  /** the knowledge-base entry the message matched, if any */
  knowledge: KnowledgeMatch | null;
  /** the effect the turn carried out and what came of it, if it had one */
  effect: Effect | null;
  outcome: EffectOutcome | null;
  /** the turn's state change: a choice among applications is offered by setting it */
  state: StateChange;
}

const minutes = (seconds: number) => String(Math.max(1, Math.ceil(seconds / 60)));

/** The template for what an effect did; null when its answer has none. */
function outcomeReply(effect: Effect | null, outcome: EffectOutcome): TemplateReply | null {
  switch (outcome.kind) {
    case 'bind_code_sent':
      return { template: 'bind_code_sent', variables: { validMinutes: String(BIND_CODE_VALID_MINUTES) } };
    case 'bind_code_throttled':
      return { template: 'bind_code_throttled', variables: {} };
    case 'bind_code_limited':
      return { template: 'bind_code_limited', variables: { minutes: minutes(outcome.retryAfterSeconds) } };
    case 'bind_locked':
      return { template: 'bind_locked', variables: { minutes: minutes(outcome.retryAfterSeconds) } };
    case 'bound':
      return { template: 'bound', variables: { accountNo: say.maskAccount(outcome.accountNo) } };
    case 'code_wrong':
      return { template: 'code_wrong', variables: { attemptsLeft: String(outcome.attemptsLeft) } };
    case 'hurried':
      return effect?.kind === 'hurry' ? { template: 'hurry', variables: { applicationNo: effect.applicationNo, reference: outcome.reference } } : null;
    case 'hurry_cooldown': {
      const hours = String(Math.max(1, Math.ceil(outcome.retryAfterSeconds / 3600)));
      const applicationNo = effect?.kind === 'hurry' ? effect.applicationNo : null;
      return { template: 'hurry_cooldown', variables: { applicationNo, reference: outcome.reference, hours } };
    }
    case 'muted':
    case 'unmuted':
      return { template: outcome.kind, variables: { applicationNo: outcome.applicationNo } };
    case 'rated':
      return { template: outcome.followUp ? 'rated_follow_up' : 'rated', variables: { score: String(outcome.score) } };
    case 'complaint_recorded':
      return {
        template: 'complaint',
        variables: { reference: outcome.reference, handlerName: outcome.contact?.name ?? null, handlerPhone: outcome.contact?.phone ?? null },
      };
    default:
      return null;
  }
}

/** The reply template for an SMS chat turn; `fallback` (see the kiosk or WeChat) when none says what the answer says. */
export function templateReply({ replies, views, today, knowledge, effect, outcome, state }: TemplateReplyInput): TemplateReply {
  const [answer] = replies;
  if (outcome) return outcomeReply(effect, outcome) ?? { template: 'fallback', variables: {} };
  if (state.kind === 'set' && state.state.kind === 'choose_application') {
    const [first] = state.state.applicationNos;
    return { template: 'choose_application', variables: { count: String(state.state.applicationNos.length), applicationNo: first ?? null } };
  }
  if (replies.length !== 1) return { template: 'fallback', variables: {} };
  if (answer === say.mustBind('sms')) return { template: 'unbound', variables: {} };
  if (answer === say.codeWithoutBinding || answer === say.resendWithoutBinding) return { template: 'code_expired', variables: {} };
  const view = views.find((v) => say.progress(v, today) === answer);
  if (view) {
    return {
      template: 'progress',
      variables: { applicationNo: view.applicationNo, stepName: view.currentStep?.name ?? null, expectedDate: view.expectedConnectDate },
    };
  }
  if (knowledge && answer === knowledge.entry.answer) return { template: 'knowledge', variables: { question: knowledge.entry.question } };
  return { template: 'fallback', variables: {} };
}
