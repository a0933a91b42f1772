// The hurry rules (催办, 督办): which step a customer's press is about, may it be accepted (or when the cooldown ends),
// does it escalate, and who receives it. Pure: the caller reads the facts and writes what the decision says; time is
// passed in.
import type { Process, ProcessStep } from './catalog.ts';
import type { WorkingCalendar } from './calendar.ts';
import { currentStepIndex } from './progress-view.ts';
import type { StepStatus } from './step-state.ts';
import { addWorkingMinutes, type WorkingHours } from './working-time.ts';

/** A request nobody acknowledged escalates after this much working time (nights, lunch and days off do not count). */
export const ESCALATE_AFTER_WORKING_MINUTES = 4 * 60;
/** A request pressed this many times before it is answered escalates. */
export const ESCALATE_AT_COUNT = 3;

export type HurryStatus = 'open' | 'acknowledged' | 'answered' | 'escalated';
export type EscalationReason = 'unacknowledged' | 'repeated';

/** A step of the application as stored. */
export interface HurryStepFacts {
  stepCode: string;
  status: StepStatus;
  handlerId: string | null;
  /** when the step's handler was last set */
  handlerAt: number | null;
}

/** A handler the staff table knows (an id it does not know is no handler here). */
export interface KnownHandler {
  id: string;
  teamId: string | null;
}

/** The step's latest request, whatever its status. */
export interface LatestHurry {
  id: string;
  status: HurryStatus;
  count: number;
  /** the first press */
  createdAt: number;
  /** the last press that was accepted; the cooldown runs from here */
  lastHurriedAt: number;
  teamId: string | null;
}

/** Who a new request or an escalation goes to. */
export type HurryRecipient =
  | { kind: 'handler'; handlerId: string }
  /** the team leads of `teamId`, or of every team when it is null */
  | { kind: 'team_leads'; teamId: string | null };

export type HurryRefusal =
  | { kind: 'not_active'; status: string }
  | { kind: 'no_current_step' }
  /** the customer's own work (客户受电工程施工): nobody at the utility to hurry */
  | { kind: 'customer_step'; step: ProcessStep; next: ProcessStep | null };

/** The step a press on the application is about: its current one, if that is the utility's work. */
export function hurryTarget(facts: {
  application: { status: string };
  process: Pick<Process, 'steps'>;
  steps: readonly Pick<HurryStepFacts, 'stepCode' | 'status'>[];
}): { kind: 'step'; step: ProcessStep } | HurryRefusal {
  const { application, process } = facts;
  if (application.status !== 'active') return { kind: 'not_active', status: application.status };
  const byCode = new Map(facts.steps.map((s) => [s.stepCode, s.status]));
  const index = currentStepIndex(process.steps.map((s) => byCode.get(s.code) ?? 'pending'));
  if (index < 0) return { kind: 'no_current_step' };
  const step = process.steps[index]!;
  if (step.side === 'customer') return { kind: 'customer_step', step, next: process.steps[index + 1] ?? null };
  return { kind: 'step', step };
}

export interface HurryRouteFacts {
  steps: readonly HurryStepFacts[];
  accountManagerId: string | null;
  /** the handlers named on the application (steps, account manager) that the staff table knows */
  handlers: ReadonlyMap<string, KnownHandler>;
}

/**
 * Who a new request on `stepCode` is for: the step's handler. Without one, it goes to the team leads of whoever
 * handled the application last; when nobody has, to its account manager (客户经理) as its handler; failing that, to
 * every team lead. `teamId` is the queue it sits in (and whose leads an escalation goes to).
 */
export function routeNewHurry(stepCode: string, facts: HurryRouteFacts): { handlerId: string | null; teamId: string | null; notify: HurryRecipient } {
  const known = (id: string | null) => (id === null ? undefined : facts.handlers.get(id));
  const stepHandler = known(facts.steps.find((s) => s.stepCode === stepCode)?.handlerId ?? null);
  const lastHandler =
    stepHandler ??
    [...facts.steps]
      .filter((s) => s.handlerId !== null)
      .sort((a, b) => (b.handlerAt ?? 0) - (a.handlerAt ?? 0))
      .map((s) => known(s.handlerId))
      .find((h) => h !== undefined);
  const handler = stepHandler ?? (lastHandler ? undefined : known(facts.accountManagerId));
  const teamId = (lastHandler ?? handler)?.teamId ?? null;
  return { handlerId: handler?.id ?? null, teamId, notify: handler ? { kind: 'handler', handlerId: handler.id } : { kind: 'team_leads', teamId } };
}

/** An escalation of a request in `teamId` goes to that team's leads, or every team's when none is known. */
export function escalationRecipient(teamId: string | null): HurryRecipient {
  return { kind: 'team_leads', teamId };
}

/** When a request first pressed at `firstPress` escalates if nobody acknowledges it. */
export function escalationDueAt(firstPress: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  return addWorkingMinutes(firstPress, ESCALATE_AFTER_WORKING_MINUTES, calendar, hours, timeZone);
}

/** An open request not acknowledged by its escalation time escalates (the sweep's rule). */
export function escalatesUnacknowledged(hurry: { status: HurryStatus; escalateAt: number }, now: number): boolean {
  return hurry.status === 'open' && hurry.escalateAt <= now;
}

export interface PressFacts extends HurryRouteFacts {
  now: number;
  cooldownMs: number;
  /** the step the press is about (`hurryTarget`) */
  step: ProcessStep;
  /** the step's latest request, if any */
  latest: LatestHurry | undefined;
  calendar: WorkingCalendar;
  workingHours: WorkingHours;
  timeZone: string;
}

export type PressDecision =
  | {
      /** the press is the step's latest request pressed again: it is not answered, or was answered within the cooldown */
      kind: 'again';
      hurryId: string;
      /** the count goes up (an answered request is not pressed again) */
      counted: boolean;
      /** the request's count after this press */
      count: number;
      /** false within the cooldown: the press is refused (429), though counted; true after it, when it restarts it */
      accepted: boolean;
      /** refused: seconds until the step may be hurried again */
      retryAfterSeconds: number | null;
      /** when the step may be hurried again after this press */
      nextPressAt: number;
      /** the request escalates now (the 3rd press of one neither answered nor escalated) */
      escalation: { reason: 'repeated'; to: HurryRecipient } | null;
    }
  | {
      kind: 'new';
      handlerId: string | null;
      teamId: string | null;
      /** who is told of it (hurry_for_handler) */
      notify: HurryRecipient;
      escalateAt: number;
      nextPressAt: number;
    };

/**
 * A customer's press on a utility step. When the step's latest request is not answered, or was answered within the
 * cooldown, it is that request pressed again: counted (unless answered), refused within the cooldown, escalated on
 * the 3rd press. Otherwise it is a new request, routed by `routeNewHurry`.
 */
export function decidePress(facts: PressFacts): PressDecision {
  const { now, cooldownMs, latest } = facts;
  if (latest) {
    const cooldownEnds = latest.lastHurriedAt + cooldownMs;
    const withinCooldown = now < cooldownEnds;
    if (latest.status !== 'answered' || withinCooldown) {
      const counted = latest.status !== 'answered';
      const count = counted ? latest.count + 1 : latest.count;
      const escalates = (latest.status === 'open' || latest.status === 'acknowledged') && count >= ESCALATE_AT_COUNT;
      const retryAfterSeconds = withinCooldown ? Math.max(1, Math.ceil((cooldownEnds - now) / 1000)) : null;
      return {
        kind: 'again',
        hurryId: latest.id,
        counted,
        count,
        accepted: !withinCooldown,
        retryAfterSeconds,
        nextPressAt: retryAfterSeconds === null ? now + cooldownMs : now + retryAfterSeconds * 1000,
        escalation: escalates ? { reason: 'repeated', to: escalationRecipient(latest.teamId) } : null,
      };
    }
  }
  return {
    kind: 'new',
    ...routeNewHurry(facts.step.code, facts),
    escalateAt: escalationDueAt(now, facts.calendar, facts.workingHours, facts.timeZone),
    nextPressAt: now + cooldownMs,
  };
}
