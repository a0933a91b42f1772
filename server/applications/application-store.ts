// The store port of applications (业扩申请): the mirror of the marketing system (applications, their steps, handlers
// and teams, sync events), the plans stored on them and the completions typical durations are learnt from.
// Implemented for SQLite (db/sqlite/application-store.ts) and PostgreSQL (db/postgres/application-store.ts).
import type { AlertLevel, applications, applicationSteps, handlers, stepCompletions, syncEvents } from '../../db/schema/index.ts';
import { storedProgress, type HandlerContact, type StoredProgress } from '../domain/progress-view.ts';

export type ApplicationRow = typeof applications.$inferSelect;
export type StepRow = typeof applicationSteps.$inferSelect;
export type SyncEventRow = typeof syncEvents.$inferSelect;
export type HandlerRow = typeof handlers.$inferSelect;
export type StepCompletion = typeof stepCompletions.$inferSelect;

/** What the marketing system says of an application; the rest of its row is Jiedian's (plan, digest, times). */
export type ApplicationSource = Pick<
  ApplicationRow,
  | 'accountNo'
  | 'customerName'
  | 'processCode'
  | 'capacityKva'
  | 'address'
  | 'phone'
  | 'queryCodeHmac'
  | 'requestedConnectDate'
  | 'acceptedAt'
  | 'status'
  | 'accountManagerId'
  | 'email'
>;

/** A handler with their team's name. */
export type HandlerWithTeam = Pick<HandlerRow, 'id' | 'name' | 'phone' | 'teamId' | 'role' | 'wecomUserId' | 'email'> & { teamName: string };

/**
 * What a ProgressView shows of a step; `handlerName`/`handlerPhone` are set when the step's handler and their team
 * exist (`handlerTeamId` not null), as `handler()` would find them.
 */
export type ViewStep = Pick<StepRow, 'stepCode' | 'status' | 'actualStart' | 'actualEnd' | 'handlerId' | 'plannedStart' | 'plannedEnd' | 'dueAt'> & {
  handlerName: string | null;
  handlerPhone: string | null;
  handlerTeamId: string | null;
};

/** The stored part of an application's progress view, as every store writes it. */
export function storedProgressOf(application: ApplicationRow, steps: readonly ViewStep[]): StoredProgress {
  const contacts = new Map<string, HandlerContact>();
  for (const s of steps) {
    if (s.handlerId !== null && s.handlerTeamId !== null) contacts.set(s.handlerId, { name: s.handlerName!, phone: s.handlerPhone! });
  }
  return storedProgress(application, steps, (id) => contacts.get(id));
}

export type StepState = Pick<StepRow, 'applicationNo' | 'stepCode' | 'status' | 'actualStart' | 'actualEnd' | 'lastStartedAt' | 'lastCompletedAt' | 'handlerId' | 'handlerAt'>;
export type StepPlan = Pick<StepRow, 'applicationNo' | 'stepCode' | 'plannedStart' | 'plannedEnd' | 'dueAt' | 'warnAt' | 'alertAt'>;
export type ApplicationPlan = Pick<
  ApplicationRow,
  'applicationNo' | 'expectedConnectDate' | 'planFeasible' | 'earliestFeasibleDate' | 'planBasis' | 'planCompressed' | 'plannedOn' | 'updatedAt' | 'limitAlertAt' | 'riskLimitAt'
>;
/** A handler and their team as the marketing system sends them (admin is granted in Jiedian, never synced). */
export type SyncedHandler = Pick<HandlerRow, 'id' | 'name' | 'phone' | 'teamId' | 'wecomUserId' | 'email'> & { role: Exclude<HandlerRow['role'], 'admin'>; teamName: string };
/** What says whether an application's stored plan is current. */
export type PlanState = Pick<ApplicationRow, 'applicationNo' | 'status' | 'plannedOn' | 'updatedAt'>;

export interface ApplicationStore {
  application(applicationNo: string): Promise<ApplicationRow | undefined>;
  /**
   * The application, its row locked until the unit of work ends (PostgreSQL: SELECT … FOR UPDATE; SQLite's unit of
   * work holds the database's write lock already): for a unit of work that reads the application, then writes it.
   */
  applicationForUpdate(applicationNo: string): Promise<ApplicationRow | undefined>;
  /**
   * The applications among `applicationNos` that exist, locked as `applicationForUpdate` locks one, in the order of
   * their numbers (two units of work locking overlapping sets never wait for each other in a circle).
   */
  applicationsForUpdate(applicationNos: readonly string[]): Promise<Map<string, ApplicationRow>>;
  /**
   * Whether locking takes row by row (PostgreSQL), so a unit of work must lock before it trusts what it read; false
   * when the unit of work holds the whole database's write lock from its start (SQLite), and every read is stable.
   */
  readonly locksRows: boolean;
  /** Newest first; only the applications whose query code matches. */
  applicationsOfAccount(accountNo: string, queryCodeHmac: string): Promise<ApplicationRow[]>;
  /** by position */
  steps(applicationNo: string): Promise<StepRow[]>;
  step(applicationNo: string, stepCode: string): Promise<StepRow | undefined>;
  /** What a ProgressView shows of each step, in no particular order (a ProgressView orders them by the catalog). */
  stepsForView(applicationNo: string): Promise<ViewStep[]>;
  /**
   * The stored part of the application's progress view, in one statement. Every write method below that changes what
   * it is made of has it written again before its unit of work commits (so it is never older than the rows).
   */
  progressView(applicationNo: string): Promise<StoredProgress | undefined>;
  /** The stored progress views of the account's applications whose query code matches, newest first, in one statement. */
  progressViewsOfAccount(accountNo: string, queryCodeHmac: string): Promise<StoredProgress[]>;
  /** Up to `limit` applications without a stored progress view (a database from before they were stored). */
  applicationsWithoutProgressView(limit: number): Promise<string[]>;
  /** Has the applications' progress views written afresh with the unit of work. */
  rewriteProgressViews(applicationNos: readonly string[]): Promise<void>;
  updateStepState(row: StepState): Promise<void>;
  updateStepPlan(row: StepPlan): Promise<void>;
  updateApplicationPlan(row: ApplicationPlan): Promise<void>;
  /** A staff re-plan's new requested connection date (kept until the marketing system syncs another). */
  setRequestedConnectDate(applicationNo: string, requestedConnectDate: string | null): Promise<void>;
  /** Up to `limit` applications after `after` by number, with what says whether their plan is current. */
  planStatesAfter(after: string, limit: number): Promise<PlanState[]>;
  eventExists(eventId: string): Promise<boolean>;
  insertEvent(row: Omit<SyncEventRow, 'rejection'>): Promise<void>;
  /** Events that came before their application, oldest first. */
  parkedEvents(applicationNo: string): Promise<SyncEventRow[]>;
  settleParkedEvent(eventId: string, state: 'applied' | 'rejected', appliedAt: number | null, rejection: string | null): Promise<void>;
  /** A step's completion (a later one of the same step replaces it). */
  recordCompletion(row: StepCompletion): Promise<void>;
  /** newest first */
  recentCompletionWorkdays(processCode: string, stepCode: string, limit: number): Promise<number[]>;
  handler(handlerId: string): Promise<HandlerWithTeam | undefined>;
  /**
   * A handler and their team as the marketing system sends them: a PUT replaces the handler (a contact left out is
   * no longer there), and admin, granted in Jiedian (`staff:admin`), not by the marketing system, survives a re-sync.
   * A new name or phone is written into the progress views of the applications with a step of theirs.
   */
  upsertHandler(handler: SyncedHandler, now: number): Promise<void>;
  /** A new application, with the plan it starts from (typical durations, made today). */
  insertApplication(row: ApplicationSource & Pick<ApplicationRow, 'applicationNo' | 'sourceDigest' | 'plannedOn'>, now: number): Promise<void>;
  /** What the marketing system now says of an application (its plan is re-made after). */
  updateApplicationSource(applicationNo: string, source: ApplicationSource, sourceDigest: string, now: number): Promise<void>;
  /** A step of the application's process, not started, at its place in the process. */
  addStep(applicationNo: string, stepCode: string, position: number): Promise<void>;
  moveStep(applicationNo: string, stepCode: string, position: number): Promise<void>;
  /** A step the application's process no longer has. */
  removeStep(applicationNo: string, stepCode: string): Promise<void>;
  /** The time-limit alerts already raised for the application (step '' = application-level), whichever occurrence. */
  raisedAlerts(applicationNo: string): Promise<{ stepCode: string; occurrence: number; level: AlertLevel }[]>;
  /** Whether the application's nearly-used-up limit was already a risk signal (it is raised once). */
  limitRiskRaised(applicationNo: string): Promise<boolean>;
}

