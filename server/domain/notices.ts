// The notices customers and handlers receive: their kinds, who gets them, whether they may wake someone,
// the variables each kind's templates (templates/sms, templates/wechat) are rendered with, and sample values.
import type { CalendarDate } from './dates.ts';
import type { HandlerContact } from './progress-view.ts';

export const noticeKinds = [
  'step_started',
  'plan_created',
  'plan_changed',
  'connected',
  'hurry_received',
  'hurry_answered',
  'bind_code',
  'hurry_for_handler',
  'sla_warning',
  'sla_overdue',
  'escalation',
  'weekly_digest',
  'risk_urgent',
  'monthly_report',
] as const;

export type NoticeKind = (typeof noticeKinds)[number];

/** `handler` covers all staff, team leads (班组长) included. */
export type NoticeAudience = 'customer' | 'handler';

export interface NoticeDefinition {
  audience: NoticeAudience;
  /**
   * Urgent notices go out at once, even in quiet hours (QUIET_HOURS, 22:00–08:00); the others wait for the morning.
   * Urgent are the ones the recipient is waiting for right now or that must not wait for a night to pass:
   * - bind_code: the customer is typing it in and it expires in 10 minutes;
   * - hurry_received: the receipt of what the customer did a moment ago;
   * - sla_overdue, escalation: a commitment is already broken.
   * hurry_answered is not urgent: a handler answering late in the evening must not wake the customer; the answer
   * loses nothing by arriving at 08:00. Step and plan notices, connected, warnings and the digest are not urgent.
   */
  urgent: boolean;
  /**
   * Mandatory notices answer what the customer did themself (the hurry's receipt and answer, the binding code): they
   * go even to an address that muted the application (免打扰). A 退订 of the whole channel still stops them.
   * They are also the priority lane: the customer is waiting for them this minute (a binding code expires), so they
   * go ahead of notices already queued and are not held behind them by the per-application order. Pacing still
   * holds: they take the next free slot.
   */
  mandatory: boolean;
}

export const noticeDefinitions: Record<NoticeKind, NoticeDefinition> = {
  step_started: { audience: 'customer', urgent: false, mandatory: false },
  plan_created: { audience: 'customer', urgent: false, mandatory: false },
  plan_changed: { audience: 'customer', urgent: false, mandatory: false },
  connected: { audience: 'customer', urgent: false, mandatory: false },
  hurry_received: { audience: 'customer', urgent: true, mandatory: true },
  hurry_answered: { audience: 'customer', urgent: false, mandatory: true },
  bind_code: { audience: 'customer', urgent: true, mandatory: true },
  hurry_for_handler: { audience: 'handler', urgent: false, mandatory: false },
  sla_warning: { audience: 'handler', urgent: false, mandatory: false },
  sla_overdue: { audience: 'handler', urgent: true, mandatory: false },
  escalation: { audience: 'handler', urgent: true, mandatory: false },
  weekly_digest: { audience: 'handler', urgent: false, mandatory: false },
  // an urgent risk item is texted in working time only (risks/risk-items.ts); at night it waits for the morning
  risk_urgent: { audience: 'handler', urgent: true, mandatory: false },
  monthly_report: { audience: 'handler', urgent: false, mandatory: false },
};

/** Whether a customer's mute of the application (免打扰) holds this notice back: every customer notice but the mandatory. */
export function mutable(notice: { recipientKind: string; noticeKind: string }): boolean {
  return notice.recipientKind === 'customer' && isNoticeKind(notice.noticeKind) && !noticeDefinitions[notice.noticeKind].mandatory;
}

/**
 * The notices that also go by e-mail, to a recipient with an address: customers the step and plan notices and the
 * connection (their application's `email`), team leads the weekly digest (their synced `email`).
 */
export const emailNoticeKinds = ['step_started', 'plan_created', 'plan_changed', 'connected', 'weekly_digest'] as const satisfies readonly NoticeKind[];
export type EmailNoticeKind = (typeof emailNoticeKinds)[number];

/** The staff notices that also go to the handler's WeCom (企业微信), when the sync API gave their WeCom user id. */
export const wecomNoticeKinds = ['hurry_for_handler', 'escalation', 'sla_overdue', 'weekly_digest'] as const satisfies readonly NoticeKind[];

export function isEmailNoticeKind(kind: NoticeKind): kind is EmailNoticeKind {
  return (emailNoticeKinds as readonly string[]).includes(kind);
}

export function isWecomNoticeKind(kind: NoticeKind): boolean {
  return (wecomNoticeKinds as readonly string[]).includes(kind);
}

export function isNoticeKind(value: unknown): value is NoticeKind {
  return typeof value === 'string' && (noticeKinds as readonly string[]).includes(value);
}

/** `step_started` → `step-started`, the template file's name without extension. */
export function noticeFileStem(kind: NoticeKind): string {
  return kind.replaceAll('_', '-');
}

// Variables carry names and phones unmasked; the customer templates mask them (maskName) where the
// customer must not see them in full, as the ProgressView does for customers.


export interface StepStartedVariables {
  customerName: string;
  applicationNo: string;
  processName: string;
  step: { name: string; dueDate: CalendarDate; customerTasks: string[] };
  /** null when this is the last step */
  nextStep: { name: string; plannedStart: CalendarDate } | null;
  handler: HandlerContact | null;
  expectedConnectDate: CalendarDate;
  /**
   * Whether the process's fixed regulatory sentence (if its template has one) goes in this text: once per
   * application, with the plan notice or the first step notice, not in every text.
   */
  includeRegulation: boolean;
}

export interface PlanCreatedVariables {
  customerName: string;
  applicationNo: string;
  expectedConnectDate: CalendarDate;
  requestedConnectDate: CalendarDate | null;
  /** whether the requested date can be met; true when none was requested */
  feasible: boolean;
  /** required when not feasible */
  earliestFeasibleDate: CalendarDate | null;
}

export interface PlanChangedVariables extends PlanCreatedVariables {
  previousExpectedConnectDate: CalendarDate;
}

export interface ConnectedVariables {
  customerName: string;
  applicationNo: string;
  /** how to rate the service: a short instruction or a link */
  ratingHint: string;
}

export interface HurryReceivedVariables {
  applicationNo: string;
  /** the hurry request's reference number, quoted back by the customer */
  reference: string;
  stepName: string;
}

export interface HurryAnsweredVariables {
  applicationNo: string;
  reference: string;
  /** the handler's answer, free text (shortened in an SMS that would be too long) */
  reply: string;
}

export interface BindCodeVariables {
  /** 6 digits */
  code: string;
  validMinutes: number;
}

export interface HurryForHandlerVariables {
  applicationNo: string;
  customerName: string;
  stepName: string;
  /** the customer's message, free text, or null */
  message: string | null;
  /** working days the step has run so far */
  stepWorkdays: number;
}

export interface SlaAlertVariables {
  applicationNo: string;
  stepName: string;
  /** the step's due time, epoch milliseconds */
  dueAt: number;
  /** whether the handler must file a 情况说明 */
  explanationRequired: boolean;
}

export type EscalationReason = 'unacknowledged' | 'repeated';

export interface EscalationVariables {
  applicationNo: string;
  stepName: string;
  /** unacknowledged: a hurry was not acknowledged in time; repeated: the customer keeps hurrying */
  reason: EscalationReason;
  /** hurry requests the customer has made for this step */
  count: number;
  handlerName: string | null;
}

export interface DigestAlert {
  applicationNo: string;
  stepName: string;
  level: 'warning' | 'overdue';
  dueAt: number;
  handlerName: string | null;
}

export interface WeeklyDigestVariables {
  teamName: string;
  /** the week summarised, Monday to Sunday */
  weekStart: CalendarDate;
  weekEnd: CalendarDate;
  /** steps of the team that went overdue during the week */
  overdueCount: number;
  /** alerts still open when the digest is made */
  openAlerts: DigestAlert[];
}

export interface RiskUrgentVariables {
  applicationNo: string;
  customerName: string;
  /** the risk item's reference number */
  reference: string;
  /** the rules it set off, in Chinese */
  reasons: string[];
}

export interface MonthlyReportTeam {
  teamName: string;
  /** 点名预警 / 约谈整改 / 现场办公会 */
  tierName: string;
  urgentItems: number;
  /** average score, null without ratings */
  satisfaction: number | null;
}

export interface MonthlyReportCase {
  applicationNo: string;
  teamName: string;
  tierName: string;
  /** the handling note, null while the item is open */
  note: string | null;
}

export interface MonthlyReportVariables {
  /** YYYY-MM, the month reported on */
  month: string;
  teams: MonthlyReportTeam[];
  worstCases: MonthlyReportCase[];
}

export interface NoticeVariables {
  step_started: StepStartedVariables;
  plan_created: PlanCreatedVariables;
  plan_changed: PlanChangedVariables;
  connected: ConnectedVariables;
  hurry_received: HurryReceivedVariables;
  hurry_answered: HurryAnsweredVariables;
  bind_code: BindCodeVariables;
  hurry_for_handler: HurryForHandlerVariables;
  sla_warning: SlaAlertVariables;
  sla_overdue: SlaAlertVariables;
  escalation: EscalationVariables;
  weekly_digest: WeeklyDigestVariables;
  risk_urgent: RiskUrgentVariables;
  monthly_report: MonthlyReportVariables;
}

/** The `today` the samples are written for (a Monday). */
export const noticeSampleToday: CalendarDate = '2026-11-23';

const at = (iso: string): number => Date.parse(iso);

/** One typical, JSON-able set of variables per kind: every template must render it within the SMS limit. */
export const noticeSamples: { [K in NoticeKind]: NoticeVariables[K] } = {
  step_started: {
    customerName: '玉溪某某食品有限公司',
    applicationNo: 'YX2026-0001',
    processName: '高压新装增容（单电源）',
    step: { name: '设计文件审核', dueDate: '2026-11-26', customerTasks: ['提交受电工程设计文件及设计单位资质证明'] },
    nextStep: { name: '客户受电工程施工', plannedStart: '2026-11-27' },
    handler: { name: '李明', phone: '13912345678' },
    expectedConnectDate: '2027-01-15',
    includeRegulation: false,
  },
  plan_created: {
    customerName: '玉溪某某食品有限公司',
    applicationNo: 'YX2026-0001',
    expectedConnectDate: '2027-02-26',
    requestedConnectDate: '2027-03-01',
    feasible: true,
    earliestFeasibleDate: '2027-01-15',
  },
  plan_changed: {
    customerName: '玉溪某某食品有限公司',
    applicationNo: 'YX2026-0001',
    previousExpectedConnectDate: '2027-01-15',
    expectedConnectDate: '2027-01-22',
    requestedConnectDate: '2027-03-01',
    feasible: true,
    earliestFeasibleDate: '2027-01-22',
  },
  connected: {
    customerName: '玉溪某某食品有限公司',
    applicationNo: 'YX2026-0001',
    ratingHint: 'https://jd.example.cn/r/7Kq2',
  },
  hurry_received: { applicationNo: 'YX2026-0001', reference: 'CB2611230007', stepName: '设计文件审核' },
  hurry_answered: {
    applicationNo: 'YX2026-0001',
    reference: 'CB2611230007',
    reply: '设计文件已审核通过，审核意见书明天上午可到营业厅领取。',
  },
  bind_code: { code: '482913', validMinutes: 10 },
  hurry_for_handler: {
    applicationNo: 'YX2026-0001',
    customerName: '玉溪某某食品有限公司',
    stepName: '设计文件审核',
    message: '请尽快安排审核，我们工厂月底要试生产。',
    stepWorkdays: 3,
  },
  sla_warning: {
    applicationNo: 'YX2026-0001',
    stepName: '设计文件审核',
    dueAt: at('2026-11-26T23:59:59.999+08:00'),
    explanationRequired: false,
  },
  sla_overdue: {
    applicationNo: 'YX2026-0001',
    stepName: '设计文件审核',
    dueAt: at('2026-11-20T23:59:59.999+08:00'),
    explanationRequired: true,
  },
  escalation: {
    applicationNo: 'YX2026-0001',
    stepName: '设计文件审核',
    reason: 'repeated',
    count: 3,
    handlerName: '李明',
  },
  weekly_digest: {
    teamName: '业扩一班',
    weekStart: '2026-11-16',
    weekEnd: '2026-11-22',
    overdueCount: 2,
    openAlerts: [
      {
        applicationNo: 'YX2026-0001',
        stepName: '设计文件审核',
        level: 'overdue',
        dueAt: at('2026-11-20T23:59:59.999+08:00'),
        handlerName: '李明',
      },
      {
        applicationNo: 'YX2026-0003',
        stepName: '现场勘查',
        level: 'warning',
        dueAt: at('2026-11-24T23:59:59.999+08:00'),
        handlerName: null,
      },
    ],
  },
  risk_urgent: { applicationNo: 'YX2026-0001', customerName: '玉溪某某食品有限公司', reference: 'FX2611230001', reasons: ['投诉/升级言辞', '7天内反复诉求'] },
  monthly_report: {
    month: '2026-10',
    teams: [
      { teamName: '业扩一班', tierName: '约谈整改', urgentItems: 4, satisfaction: 3.6 },
      { teamName: '业扩二班', tierName: '点名预警', urgentItems: 3, satisfaction: null },
    ],
    worstCases: [
      { applicationNo: 'YX2026-0001', teamName: '业扩一班', tierName: '紧急', note: '李明已电话联系客户，约定11月25日上午现场勘查。' },
      { applicationNo: 'YX2026-0003', teamName: '业扩二班', tierName: '紧急', note: null },
    ],
  },
};

/** The longest application number the sync API accepts (64 characters): shortened to its last digits in an SMS. */
const LONGEST_APPLICATION_NO = 'YX' + '2026'.repeat(15) + '07';

/**
 * Further samples that take the other branches (no handler, last step, infeasible plan, no message, …) or carry
 * extreme content. Every template must render them without error; an SMS may be shortened to fit.
 */
export const noticeEdgeSamples: { [K in NoticeKind]?: NoticeVariables[K][] } = {
  step_started: [
    {
      customerName: '张三',
      applicationNo: 'YX2026-0002',
      processName: '低压居民新装',
      step: {
        name: '业务受理',
        dueDate: '2026-11-24',
        customerTasks: [
          '用电申请书',
          '身份证明（居民身份证或营业执照）',
          '用电地址产权证明（房产证、购房合同或租赁合同及出租方产权证明）',
          '暂缺产权证明的可凭身份证明“一证受理”，签署承诺书后补',
        ],
      },
      nextStep: { name: '现场勘查', plannedStart: '2026-11-25' },
      handler: null,
      expectedConnectDate: '2026-11-30',
      includeRegulation: false,
    },
    {
      customerName: '玉溪某某食品有限公司',
      applicationNo: 'YX2026-0001',
      processName: '高压新装增容（单电源）',
      step: { name: '装表接电', dueDate: '2027-01-15', customerTasks: [] },
      nextStep: null,
      handler: { name: '王芳', phone: '0877-2012345' },
      expectedConnectDate: '2027-01-15',
      includeRegulation: true,
    },
    {
      customerName: '玉'.repeat(100),
      applicationNo: LONGEST_APPLICATION_NO,
      processName: '高压新装增容（单电源）',
      step: { name: '设计文件审核', dueDate: '2026-11-26', customerTasks: ['提交受电工程设计文件及设计单位资质证明'] },
      nextStep: { name: '客户受电工程施工', plannedStart: '2026-11-27' },
      handler: { name: '李'.repeat(100), phone: '13912345678' },
      expectedConnectDate: '2027-01-15',
      includeRegulation: true,
    },
  ],
  plan_created: [
    {
      customerName: '张三',
      applicationNo: 'YX2026-0002',
      expectedConnectDate: '2026-11-30',
      requestedConnectDate: null,
      feasible: true,
      earliestFeasibleDate: '2026-11-30',
    },
    {
      customerName: '玉溪某某食品有限公司',
      applicationNo: 'YX2026-0001',
      expectedConnectDate: '2027-01-15',
      requestedConnectDate: '2026-12-15',
      feasible: false,
      earliestFeasibleDate: '2027-01-15',
    },
  ],
  plan_changed: [
    {
      customerName: '玉溪某某食品有限公司',
      applicationNo: 'YX2026-0001',
      previousExpectedConnectDate: '2027-02-26',
      expectedConnectDate: '2027-03-05',
      requestedConnectDate: '2027-03-01',
      feasible: false,
      earliestFeasibleDate: '2027-03-05',
    },
  ],
  connected: [
    {
      customerName: '张三',
      applicationNo: 'YX2026-0002',
      ratingHint: '请在“接电助手”公众号中为本次服务评分',
    },
  ],
  hurry_answered: [
    {
      applicationNo: 'YX2026-0001',
      reference: 'CB2611230007',
      reply:
        '您好，经核实，您提交的受电工程设计文件中缺少设计单位资质证明，且变压器容量与申请容量不一致。' +
        '请补充设计单位资质证明复印件（加盖公章），并由设计单位出具容量变更说明后重新提交。' +
        '材料齐全后我们将在3个工作日内完成审核，审核意见书可到营业厅领取，也可以邮寄。' +
        '如有疑问请工作日上午拨打我的工作电话，谢谢您的理解与配合。',
    },
  ],
  hurry_for_handler: [
    {
      applicationNo: 'YX2026-0002',
      customerName: '张三',
      stepName: '现场勘查',
      message: null,
      stepWorkdays: 1,
    },
    {
      applicationNo: LONGEST_APPLICATION_NO,
      customerName: '😀'.repeat(100),
      stepName: '设计文件审核',
      message: '快'.repeat(200),
      stepWorkdays: 12,
    },
  ],
  sla_overdue: [
    {
      applicationNo: 'YX2026-0003',
      stepName: '现场勘查',
      dueAt: at('2026-11-20T23:59:59.999+08:00'),
      explanationRequired: false,
    },
  ],
  escalation: [
    { applicationNo: LONGEST_APPLICATION_NO, stepName: '设计文件审核', reason: 'unacknowledged', count: 2, handlerName: '李'.repeat(100) },
    {
      applicationNo: 'YX2026-0003',
      stepName: '现场勘查',
      reason: 'unacknowledged',
      count: 1,
      handlerName: null,
    },
  ],
  weekly_digest: [
    { teamName: '班'.repeat(100), weekStart: '2026-11-16', weekEnd: '2026-11-22', overdueCount: 3, openAlerts: [] },
    { teamName: '业扩二班', weekStart: '2026-12-28', weekEnd: '2027-01-03', overdueCount: 0, openAlerts: [] },
  ],
  monthly_report: [{ month: '2026-11', teams: [], worstCases: [] }],
};
