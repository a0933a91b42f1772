// The ProgressView of API.md: what customers (masked) and staff (unmasked) see of one application.
import type { Process } from './catalog.ts';
import { formatInstant } from './dates.ts';
import { customerKind, maskName } from './masking.ts';
import type { PlanBasis } from './planner.ts';
import type { StepStatus } from './step-state.ts';

export type Audience = 'customer' | 'staff';

export interface ApplicationRecord {
  applicationNo: string;
  accountNo: string;
  customerName: string;
  processCode: string;
  status: string;
  acceptedAt: number;
  requestedConnectDate: string | null;
  expectedConnectDate: string | null;
  planFeasible: boolean;
  earliestFeasibleDate: string | null;
  planBasis: PlanBasis;
  planCompressed: boolean;
  updatedAt: number;
}

export interface StepRecordWithPlan {
  stepCode: string;
  status: StepStatus;
  actualStart: number | null;
  actualEnd: number | null;
  handlerId: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  dueAt: number | null;
}

/** A handler's name and work phone (the phone is shown to customers as given). */
export interface HandlerContact {
  name: string;
  phone: string;
}

/**
 * What a progress view is made of apart from the time of reading: the application's fields it shows (with the day its
 * stored plan was made for), its steps with their stored plan and their handler's contact. Stored per application and
 * kept current by every write to them; overdue, and the plan of a later day than the stored one, are worked out when
 * the view is read.
 */
export interface StoredProgress {
  application: ApplicationRecord & { plannedOn: string };
  /** one per step row, any order */
  steps: (StepRecordWithPlan & { handler: HandlerContact | null })[];
}

/** The stored part of a progress view from the application's row, its steps' and their handlers' contacts. */
export function storedProgress(
  application: ApplicationRecord & { plannedOn: string },
  steps: readonly StepRecordWithPlan[],
  handlerOf: (handlerId: string) => HandlerContact | undefined,
): StoredProgress {
  const a = application;
  return {
    application: {
      applicationNo: a.applicationNo,
      accountNo: a.accountNo,
      customerName: a.customerName,
      processCode: a.processCode,
      status: a.status,
      acceptedAt: a.acceptedAt,
      requestedConnectDate: a.requestedConnectDate,
      expectedConnectDate: a.expectedConnectDate,
      planFeasible: a.planFeasible,
      earliestFeasibleDate: a.earliestFeasibleDate,
      planBasis: a.planBasis,
      planCompressed: a.planCompressed,
      updatedAt: a.updatedAt,
      plannedOn: a.plannedOn,
    },
    steps: steps.map((s) => ({
      stepCode: s.stepCode,
      status: s.status,
      actualStart: s.actualStart,
      actualEnd: s.actualEnd,
      handlerId: s.handlerId,
      plannedStart: s.plannedStart,
      plannedEnd: s.plannedEnd,
      dueAt: s.dueAt,
      handler: (s.handlerId !== null && handlerOf(s.handlerId)) || null,
    })),
  };
}

export interface StepView {
  code: string;
  name: string;
  side: 'utility' | 'customer';
  status: StepStatus;
  plannedStart: string | null;
  plannedEnd: string | null;
  actualStart: string | null;
  actualEnd: string | null;
  dueAt: string | null;
  overdue: boolean;
  customerTasks: string[];
  handler: HandlerContact | null;
}

export interface ProgressView {
  applicationNo: string;
  accountNo: string;
  customerName: string;
  /** whether the name is a person's or an organisation's (masking keeps only its first character) */
  customerKind: 'person' | 'organisation';
  processCode: string;
  processName: string;
  status: string;
  acceptedAt: string;
  requestedConnectDate: string | null;
  expectedConnectDate: string | null;
  plan: { feasible: boolean; earliestFeasibleDate: string | null; basis: PlanBasis; compressed: boolean };
  currentStep: StepView | null;
  nextStep: StepView | null;
  steps: StepView[];
  updatedAt: string;
}

export interface ProgressViewInput {
  application: ApplicationRecord;
  process: Process;
  /** one per process step, any order */
  steps: StepRecordWithPlan[];
  handlerOf: (handlerId: string) => HandlerContact | undefined;
  now: number;
  timeZone: string;
  audience: Audience;
}

export function isStepOverdue(step: Pick<StepRecordWithPlan, 'status' | 'dueAt' | 'actualEnd'>, now: number): boolean {
  if (step.dueAt === null) return false;
  if (step.status === 'in_progress') return now > step.dueAt;
  if (step.status === 'done') return step.actualEnd !== null && step.actualEnd > step.dueAt;
  return false;
}

/** The step the application waits on: the latest one in progress, else the first not yet started. */
export function currentStepIndex(statuses: StepStatus[]): number {
  const running = statuses.lastIndexOf('in_progress');
  return running >= 0 ? running : statuses.indexOf('pending');
}

export function buildProgressView(input: ProgressViewInput): ProgressView {
  const { application, process, now, timeZone, audience } = input;
  const byCode = new Map(input.steps.map((s) => [s.stepCode, s]));
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, timeZone));
  const views: StepView[] = process.steps.map((definition) => {
    const step = byCode.get(definition.code);
    const handler = step?.handlerId ? input.handlerOf(step.handlerId) : undefined;
    return {
      code: definition.code,
      name: definition.name,
      side: definition.side,
      status: step?.status ?? 'pending',
      plannedStart: step?.plannedStart ?? null,
      plannedEnd: step?.plannedEnd ?? null,
      actualStart: instant(step?.actualStart ?? null),
      actualEnd: instant(step?.actualEnd ?? null),
      dueAt: instant(step?.dueAt ?? null),
      overdue: step ? isStepOverdue(step, now) : false,
      customerTasks: definition.customerTasks,
      handler: handler ? { name: audience === 'customer' ? maskName(handler.name) : handler.name, phone: handler.phone } : null,
    };
  });
  const current = currentStepIndex(views.map((v) => v.status));
  const next = current < 0 ? -1 : views.findIndex((v, i) => i > current && v.status === 'pending');
  return {
    applicationNo: application.applicationNo,
    accountNo: application.accountNo,
    customerName: audience === 'customer' ? maskName(application.customerName) : application.customerName,
    customerKind: customerKind(application.customerName),
    processCode: application.processCode,
    processName: process.name,
    status: application.status,
    acceptedAt: formatInstant(application.acceptedAt, timeZone),
    requestedConnectDate: application.requestedConnectDate,
    expectedConnectDate: application.expectedConnectDate,
    plan: {
      feasible: application.planFeasible,
      earliestFeasibleDate: application.earliestFeasibleDate,
      basis: application.planBasis,
      compressed: application.planCompressed,
    },
    currentStep: current >= 0 ? views[current]! : null,
    nextStep: next >= 0 ? views[next]! : null,
    steps: views,
    updatedAt: formatInstant(application.updatedAt, timeZone),
  };
}
