// A chat turn's answer as a template SMS (Aliyun, Tencent): which reply template fits it and with what values.
// Found by comparing the answer with what each template stands for, so the dialogue itself stays provider-neutral.
import type { CalendarDate } from '../dates.ts';
import type { ProgressView } from '../progress-view.ts';
import type { ReplyTemplateKind } from '../sms-template-maps.ts';
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
  /** the hurry this turn made, if it made one */
  hurried: { applicationNo: string; reference: string } | null;
  /** the application whose progress notices this turn muted (免打扰) or turned back on, if any */
  muting: { applicationNo: string; muted: boolean } | null;
  /** the rating this turn recorded (回访), if any; `followUp`: a person will call back */
  rated: { score: number; followUp: boolean } | null;
  /** the complaint this turn recorded, if any: its reference and who is responsible now */
  complaint: { reference: string; contact: { name: string; phone: string } | null } | null;
}

/** The reply template for an SMS chat turn; `fallback` (see the kiosk or WeChat) when none says what the answer says. */
export function templateReply({ replies, views, today, knowledge, hurried, muting, rated, complaint }: TemplateReplyInput): TemplateReply {
  const [answer] = replies;
  if (hurried) return { template: 'hurry', variables: { applicationNo: hurried.applicationNo, reference: hurried.reference } };
  if (muting) return { template: muting.muted ? 'muted' : 'unmuted', variables: { applicationNo: muting.applicationNo } };
  if (rated) return { template: rated.followUp ? 'rated_follow_up' : 'rated', variables: { score: String(rated.score) } };
  if (complaint) {
    return {
      template: 'complaint',
      variables: { reference: complaint.reference, handlerName: complaint.contact?.name ?? null, handlerPhone: complaint.contact?.phone ?? null },
    };
  }
  if (replies.length === 1 && answer === say.mustBind('sms')) return { template: 'unbound', variables: {} };
  const view = replies.length === 1 ? views.find((v) => say.progress(v, today) === answer) : undefined;
  if (view) {
    return {
      template: 'progress',
      variables: { applicationNo: view.applicationNo, stepName: view.currentStep?.name ?? null, expectedDate: view.expectedConnectDate },
    };
  }
  if (knowledge && replies.length === 1 && answer === knowledge.entry.answer) return { template: 'knowledge', variables: { question: knowledge.entry.question } };
  return { template: 'fallback', variables: {} };
}
