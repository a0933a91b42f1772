// The store port of time limits: alerts (超时预警 / 超时警示) and their explanations, the step occurrences and
// applications whose next alert is due, the statistics' facts and the weekly digests sent.
import type { StaffScope } from '../staff/staff-accounts.ts';

export type AlertLevel = 'warning' | 'overdue';

export interface Alert {
  id: string;
  applicationNo: string;
  /** '' for an application-level alert (the whole application over its process's total limit) */
  stepCode: string;
  /** the step occurrence: its actual start (a reopened step is a new occurrence); 0 for application-level */
  occurrence: number;
  handlerId: string | null;
  teamId: string | null;
  level: AlertLevel;
  dueAt: number | null;
  raisedAt: number;
  /** false for an overdue recorded after the fact (a step synced as completed late), which notifies nobody */
  live: boolean;
  /** when the handler's SMS may go out (the next working time) */
  notifyAt: number | null;
  notifiedAt: number | null;
  explanation: string | null;
  explainedAt: number | null;
  explainedBy: string | null;
}

/** A step whose next alert is due: what the sweep needs to raise it and, in working time, text it at once. */
export interface OwingStep {
  applicationNo: string;
  stepCode: string;
  status: string;
  actualStart: number | null;
  dueAt: number | null;
  alertAt: number;
  handlerId: string | null;
  /** the step's handler's team (null when the handler is unknown) */
  teamId: string | null;
  /** the handler's phone when the handler and their team exist */
  handlerPhone: string | null;
  /** null when the application row is missing */
  processCode: string | null;
}

/** An application past the alert time of its process's total limit. */
export interface OwingApplication {
  applicationNo: string;
  processCode: string;
  limitAlertAt: number;
}

/** A step occurrence that started or ended in a range, for the timeliness statistics. */
export interface OccurrenceInRange {
  applicationNo: string;
  stepCode: string;
  processCode: string;
  actualStart: number | null;
  actualEnd: number | null;
  status: string;
  handlerId: string | null;
  handlerName: string | null;
  teamId: string | null;
  teamName: string | null;
  /** whether the occurrence has an overdue alert (live or recorded) */
  overdue: boolean | number;
}

/** A step-level alert counted in a range: warnings by when raised, overdue ones by when the step was due. */
export interface StepAlertInRange {
  stepCode: string;
  applicationNo: string;
  processCode: string;
  level: AlertLevel;
  handlerId: string | null;
  handlerName: string | null;
  teamId: string | null;
  teamName: string | null;
  explained: boolean | number;
}

export interface AlertStore {
  /**
   * False when an alert of that level already exists for the step occurrence: raising is idempotent, so restarts,
   * overlapping sweeps and a CLI sweep beside the server raise each alert at most once.
   */
  insert(alert: Alert): Promise<boolean>;
  byId(id: string): Promise<Alert | undefined>;
  explain(id: string, explanation: { text: string; at: number; by: string }): Promise<void>;
  /** The queue: live alerts not yet closed, overdue first, oldest first. */
  queue(who: StaffScope): Promise<Alert[]>;
  /** newest first */
  ofApplication(applicationNo: string): Promise<Alert[]>;
  /** live alerts not yet closed, by level */
  openCount(): Promise<{ level: AlertLevel; n: number }[]>;

  // ---- the sweep ----
  owingSteps(now: number, limit: number): Promise<OwingStep[]>;
  /** Moves a step on to its next owed alert, unless a re-plan changed it meanwhile. */
  advanceStep(applicationNo: string, stepCode: string, expected: number, next: number | null): Promise<boolean>;
  owingApplications(now: number, limit: number): Promise<OwingApplication[]>;
  clearApplicationLimit(applicationNo: string, expected: number): Promise<boolean>;
  /** Live alerts whose SMS is due (raised in, or released into, working time) and not yet sent. */
  dueForNotice(now: number, limit: number): Promise<Alert[]>;
  /** True for the one caller that may send the alert's SMS. */
  claimNotice(id: string, now: number): Promise<boolean>;
  /** Whether the step occurrence has its overdue alert (live or recorded). */
  hasOverdue(applicationNo: string, stepCode: string, occurrence: number): Promise<boolean>;
  teamLeads(teamId: string): Promise<{ id: string; phone: string }[]>;

  // ---- statistics ----
  occurrencesInRange(from: number, to: number): Promise<OccurrenceInRange[]>;
  stepAlertsInRange(from: number, to: number): Promise<StepAlertInRange[]>;

  // ---- weekly digest ----
  /** Teams with at least one team lead, who get the digest. */
  teamsWithLeads(): Promise<{ teamId: string; teamName: string }[]>;
  /** False when the team's digest for that week was already sent. */
  recordDigest(teamId: string, weekStart: string, sentAt: number): Promise<boolean>;
  /** The team's step occurrences that went overdue in [from, to] (live or recorded after the fact). */
  teamOverdueCount(teamId: string, from: number, to: number): Promise<number>;
}
