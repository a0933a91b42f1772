// The plan (倒排工期): each step's planned dates and due time, scheduled backwards from the requested
// connection date, or forwards from today when there is none or it cannot be met.
//
// Scheduling works on workday ordinals (see WorkingCalendar.workdayOrdinal), so a step of d workdays
// starting on ordinal s ends on s + d - 1 and the next step starts on s + d.
import type { WorkingCalendar } from './calendar.ts';
import type { Process, ProcessStep } from './catalog.ts';
import { calendarDateOf, endOfDay, type CalendarDate } from './dates.ts';
import type { StepStatus } from './step-state.ts';
import { DEFAULT_WORKING_HOURS, firstWorkdayOf, type WorkingHours } from './working-time.ts';

export interface StepRecord {
  code: string;
  status: StepStatus;
  /** Epoch ms. */
  actualStart: number | null;
  actualEnd: number | null;
}

export interface PlanInput {
  process: Process;
  /** One per process step, any order; a missing step counts as pending. */
  steps: StepRecord[];
  requestedConnectDate: CalendarDate | null;
  today: CalendarDate;
  /**
   * The instant of planning, on `today`. When given and past the working hours' end, today is over: steps not yet
   * under way are planned from the next workday, as a step started then would count its days.
   */
  now?: number;
  calendar: WorkingCalendar;
  timeZone: string;
  /**
   * The day's working hours (DEFAULT_WORKING_HOURS when omitted): a step started at or after their end on a workday
   * counts its days from the next workday, as one started on a weekend or holiday does.
   */
  workingHours?: WorkingHours;
  /** Learnt typical durations; undefined falls back to the catalog. Capped by the step's limit either way. */
  typicalWorkdays?: (stepCode: string) => number | undefined;
}

export interface PlannedStep {
  code: string;
  plannedStart: CalendarDate | null;
  plannedEnd: CalendarDate | null;
  /** Epoch ms; utility steps only. */
  dueAt: number | null;
}

export type PlanBasis = 'requested_date' | 'typical';

export interface Plan {
  /** In process order. */
  steps: PlannedStep[];
  expectedConnectDate: CalendarDate | null;
  feasible: boolean;
  /** The earliest date the remaining steps can finish, every utility step at its floor; null once all are done. */
  earliestFeasibleDate: CalendarDate | null;
  basis: PlanBasis;
  /** Whether utility steps were shortened below their typical duration to meet the requested date. */
  compressed: boolean;
}

/** A remaining step on the main chain. Only the head can have a fixed (actual) start. */
interface ChainLink {
  index: number;
  step: ProcessStep;
  duration: number;
  floor: number;
  fixedStart: number | null;
}

interface Schedule {
  starts: number[];
  ends: number[];
}

function durationOf(step: ProcessStep, learnt: number | undefined): number {
  const typical = learnt !== undefined && Number.isFinite(learnt) && learnt >= 1 ? Math.ceil(learnt) : step.typicalWorkdays;
  return step.limitWorkdays === null ? typical : Math.min(typical, step.limitWorkdays);
}

/** The earliest ordinal an in-progress step can end: no earlier than today, nor before its duration ran. */
function minimumEnd(fixedStart: number, duration: number, today: number): number {
  return Math.max(today, fixedStart + duration - 1);
}

function forward(chain: ChainLink[], durations: number[], today: number): Schedule {
  const starts: number[] = [];
  const ends: number[] = [];
  let cursor = today;
  chain.forEach((link, k) => {
    const duration = durations[k]!;
    if (link.fixedStart !== null) {
      starts.push(link.fixedStart);
      ends.push(minimumEnd(link.fixedStart, duration, today));
    } else {
      starts.push(cursor);
      ends.push(cursor + duration - 1);
    }
    cursor = ends[k]! + 1;
  });
  return { starts, ends };
}

function backward(chain: ChainLink[], durations: number[], lastEnd: number): Schedule {
  const starts = new Array<number>(chain.length);
  const ends = new Array<number>(chain.length);
  let end = lastEnd;
  for (let k = chain.length - 1; k >= 0; k--) {
    const link = chain[k]!;
    ends[k] = end;
    starts[k] = link.fixedStart ?? end - durations[k]! + 1;
    end = starts[k]! - 1;
  }
  return { starts, ends };
}

/** Workdays by which a backward schedule starts too early (the head before today, or ending before it can). */
function deficit(chain: ChainLink[], durations: number[], schedule: Schedule, today: number): number {
  const head = chain[0]!;
  const earliest = head.fixedStart === null ? today - schedule.starts[0]! : minimumEnd(head.fixedStart, durations[0]!, today) - schedule.ends[0]!;
  return Math.max(0, earliest);
}

/** Workdays each link can give up; for a started head, only what actually brings its end forward. */
function compressible(link: ChainLink, today: number): number {
  if (link.step.side !== 'utility') return 0;
  const slack = link.duration - link.floor;
  if (link.fixedStart === null) return slack;
  return Math.min(slack, Math.max(0, link.fixedStart + link.duration - 1 - today));
}

/**
 * Splits `total` workdays over the links in proportion to what each can give up: whole days,
 * remainders to the largest fractions, ties in process order. Null when they cannot give that much.
 */
function distributeCompression(capacities: number[], total: number): number[] | null {
  const capacity = capacities.reduce((a, b) => a + b, 0);
  if (total > capacity) return null;
  if (total === 0) return capacities.map(() => 0);
  const cuts = capacities.map((c) => Math.floor((total * c) / capacity));
  let left = total - cuts.reduce((a, b) => a + b, 0);
  const byFraction = capacities
    .map((c, k) => ({ k, fraction: (total * c) % capacity }))
    .filter((x) => x.fraction > 0)
    .sort((a, b) => b.fraction - a.fraction || a.k - b.k);
  for (const { k } of byFraction) {
    if (left === 0) break;
    cuts[k]! += 1;
    left--;
  }
  return cuts;
}

/**
 * The ordinal of the last workday on or before `date`, the day a plan for it must be done by: a date past the
 * calendar's end is met by a plan that ends on its last workday; 'none' when the calendar has no workday that early.
 */
function lastWorkdayBy(calendar: WorkingCalendar, date: CalendarDate): number | 'none' {
  if (date > calendar.range.to) return calendar.workdayOrdinal(calendar.prevWorkdayOnOrBefore(calendar.range.to));
  if (date < calendar.dateOfWorkdayOrdinal(0)) return 'none';
  return calendar.workdayOrdinal(calendar.prevWorkdayOnOrBefore(date));
}

function indexRecords(process: Process, records: StepRecord[]): Map<string, StepRecord> {
  const byCode = new Map<string, StepRecord>();
  for (const record of records) {
    if (!process.steps.some((s) => s.code === record.code)) {
      throw new Error(`step "${record.code}" is not a step of process ${process.code}`);
    }
    if (byCode.has(record.code)) throw new Error(`step "${record.code}" is given twice`);
    byCode.set(record.code, record);
  }
  return byCode;
}

export function planApplication(input: PlanInput): Plan {
  const { process, calendar, timeZone } = input;
  const records = indexRecords(process, input.steps);
  const dateOf = (ordinal: number): CalendarDate => calendar.dateOfWorkdayOrdinal(ordinal);
  const localDate = (ms: number | null): CalendarDate | null => (ms === null ? null : calendarDateOf(ms, timeZone));
  const hours = input.workingHours ?? DEFAULT_WORKING_HOURS;
  const startOrdinalOf = (ms: number): number => calendar.workdayOrdinal(firstWorkdayOf(ms, calendar, hours, timeZone));
  // After working hours the day is over for planning: nothing is scheduled to happen in it any more. A running step
  // held at that next workday only because it cannot end sooner keeps its due time on the calendar day: the due time
  // slides at midnight, as before, and a re-plan in the evening never postpones it.
  const calendarToday = calendar.workdayOrdinal(input.today);
  const today = input.now === undefined ? calendarToday : Math.max(calendarToday, startOrdinalOf(input.now));
  const runningDueEnd = (fixedStart: number, duration: number, plannedEnd: number): number =>
    plannedEnd === today && today > calendarToday ? Math.max(calendarToday, fixedStart + duration - 1) : plannedEnd;
  const dueAt = (step: ProcessStep, startOrdinal: number, plannedEndOrdinal: number): number | null =>
    step.limitWorkdays === null ? null : endOfDay(dateOf(Math.min(plannedEndOrdinal, startOrdinal + step.limitWorkdays - 1)), timeZone);

  const planned: PlannedStep[] = process.steps.map((s) => ({ code: s.code, plannedStart: null, plannedEnd: null, dueAt: null }));
  const durations = process.steps.map((s) => durationOf(s, input.typicalWorkdays?.(s.code)));
  const statuses = process.steps.map((s) => records.get(s.code)?.status ?? 'pending');
  // An in-progress step without an actual start is planned like a pending one.
  const startOf = (i: number): number | null => {
    const record = records.get(process.steps[i]!.code);
    return statuses[i] === 'in_progress' && record !== undefined && record.actualStart !== null ? record.actualStart : null;
  };

  const remaining: number[] = [];
  process.steps.forEach((step, i) => {
    if (statuses[i] !== 'done') {
      remaining.push(i);
      return;
    }
    const record = records.get(step.code)!;
    const startDate = localDate(record.actualStart);
    planned[i] = {
      code: step.code,
      plannedStart: startDate,
      plannedEnd: localDate(record.actualEnd),
      dueAt:
        record.actualStart === null || step.limitWorkdays === null
          ? null
          : endOfDay(dateOf(startOrdinalOf(record.actualStart) + step.limitWorkdays - 1), timeZone),
    };
  });

  const lastPlannedEnd = (): CalendarDate | null => planned[planned.length - 1]!.plannedEnd;
  if (remaining.length === 0) {
    return {
      steps: planned,
      expectedConnectDate: lastPlannedEnd(),
      feasible: true,
      earliestFeasibleDate: null,
      basis: input.requestedConnectDate === null ? 'typical' : 'requested_date',
      compressed: false,
    };
  }

  // The main chain starts at the last step already under way. Steps before it that are still pending
  // were evidently passed over (or reported late), so they get no dates; earlier steps still under
  // way run alongside the chain.
  let chainFrom = 0;
  remaining.forEach((i, r) => {
    if (startOf(i) !== null) chainFrom = r;
  });
  const actualStartOrdinal = (i: number): number => startOrdinalOf(startOf(i)!);
  for (const i of remaining.slice(0, chainFrom)) {
    if (startOf(i) === null) continue;
    const step = process.steps[i]!;
    const start = actualStartOrdinal(i);
    const end = minimumEnd(start, durations[i]!, today);
    planned[i] = { code: step.code, plannedStart: localDate(startOf(i)), plannedEnd: dateOf(end), dueAt: dueAt(step, start, runningDueEnd(start, durations[i]!, end)) };
  }

  const chain: ChainLink[] = remaining.slice(chainFrom).map((i, k) => {
    const step = process.steps[i]!;
    const duration = durations[i]!;
    return {
      index: i,
      step,
      duration,
      floor: step.side === 'utility' ? Math.min(step.minWorkdays, duration) : duration,
      fixedStart: k === 0 && startOf(i) !== null ? actualStartOrdinal(i) : null,
    };
  });
  const typical = chain.map((l) => l.duration);
  const floors = chain.map((l) => l.floor);
  const lastOf = (s: Schedule): number => s.ends[s.ends.length - 1]!;
  const earliestFeasibleDate = dateOf(lastOf(forward(chain, floors, today)));

  let schedule = forward(chain, typical, today);
  let feasible = true;
  let basis: PlanBasis = 'typical';
  let compressed = false;
  const requested = input.requestedConnectDate === null ? null : lastWorkdayBy(calendar, input.requestedConnectDate);
  if (requested === 'none') {
    feasible = false;
  } else if (requested !== null) {
    const backwards = backward(chain, typical, requested);
    const cuts = distributeCompression(
      chain.map((l) => compressible(l, today)),
      deficit(chain, typical, backwards, today),
    );
    if (cuts === null) {
      feasible = false;
    } else {
      basis = 'requested_date';
      compressed = cuts.some((c) => c > 0);
      schedule = compressed ? backward(chain, typical.map((d, k) => d - cuts[k]!), requested) : backwards;
    }
  }

  chain.forEach((link, k) => {
    const start = schedule.starts[k]!;
    const end = schedule.ends[k]!;
    planned[link.index] = {
      code: link.step.code,
      plannedStart: link.fixedStart === null ? dateOf(start) : localDate(startOf(link.index)),
      plannedEnd: dateOf(end),
      dueAt: dueAt(link.step, start, link.fixedStart === null ? end : runningDueEnd(link.fixedStart, link.duration, end)),
    };
  });

  return { steps: planned, expectedConnectDate: lastPlannedEnd(), feasible, earliestFeasibleDate, basis, compressed };
}
