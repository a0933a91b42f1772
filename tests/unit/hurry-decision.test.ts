// The hurry decision (domain/hurry.ts) without a database: the step a press is about, the cooldown, escalation after
// 3 presses or 4 working hours, and who receives a request or its escalation.
import { describe, expect, it } from 'vitest';
import { buildWorkingCalendar } from '../../server/domain/calendar.ts';
import type { ProcessStep } from '../../server/domain/catalog.ts';
import { formatInstant } from '../../server/domain/dates.ts';
import {
  ESCALATE_AT_COUNT,
  decidePress,
  escalatesUnacknowledged,
  escalationDueAt,
  hurryTarget,
  routeNewHurry,
  type HurryStepFacts,
  type KnownHandler,
  type LatestHurry,
  type PressFacts,
} from '../../server/domain/hurry.ts';
import { parseWorkingPeriods, type WorkingHours } from '../../server/domain/working-time.ts';

const TZ = 'Asia/Shanghai';
const calendar = buildWorkingCalendar();
// a day with lunch: 08:00–12:00 and 14:30–18:00
const hours: WorkingHours = { periods: parseWorkingPeriods('08:00-12:00,14:30-18:00') };
const at = (iso: string) => Date.parse(iso);
const local = (ms: number) => formatInstant(ms, TZ);
const HOUR = 60 * 60 * 1000;
const COOLDOWN = 24 * HOUR;

const step = (code: string, side: ProcessStep['side'] = 'utility'): ProcessStep => ({
  code,
  name: `step ${code}`,
  side,
  limitWorkdays: side === 'utility' ? 3 : null,
  typicalWorkdays: 2,
  minWorkdays: 1,
  customerTasks: side === 'customer' ? ['施工'] : [],
});
const process = { steps: [step('S1'), step('S2'), step('C3', 'customer'), step('S4'), step('C5', 'customer')] };
const stored = (stepCode: string, status: HurryStepFacts['status'], handlerId: string | null = null, handlerAt: number | null = null): HurryStepFacts => ({ stepCode, status, handlerId, handlerAt });
const handlers = (...known: KnownHandler[]) => new Map(known.map((h) => [h.id, h]));

const NOW = at('2026-11-24T10:00:00+08:00');
const latest = (over: Partial<LatestHurry> = {}): LatestHurry => ({
  id: 'CB2611240001',
  status: 'open',
  count: 1,
  createdAt: NOW - HOUR,
  lastHurriedAt: NOW - HOUR,
  teamId: 'T1',
  ...over,
});
const facts = (over: Partial<PressFacts> = {}): PressFacts => ({
  now: NOW,
  cooldownMs: COOLDOWN,
  step: step('S2'),
  latest: undefined,
  steps: [stored('S1', 'done', 'H1', NOW - 48 * HOUR), stored('S2', 'in_progress', 'H2', NOW - 24 * HOUR)],
  accountManagerId: 'AM',
  handlers: handlers({ id: 'H1', teamId: 'T1' }, { id: 'H2', teamId: 'T2' }, { id: 'AM', teamId: 'T9' }),
  calendar,
  workingHours: hours,
  timeZone: TZ,
  ...over,
});

describe('the step a press is about', () => {
  const active = { status: 'active' };

  it('is the step in progress, else the first pending one', () => {
    expect(hurryTarget({ application: active, process, steps: [stored('S1', 'done'), stored('S2', 'in_progress')] })).toMatchObject({ kind: 'step', step: { code: 'S2' } });
    expect(hurryTarget({ application: active, process, steps: [stored('S1', 'done')] })).toMatchObject({ kind: 'step', step: { code: 'S2' } });
    expect(hurryTarget({ application: active, process, steps: [] })).toMatchObject({ kind: 'step', step: { code: 'S1' } });
  });

  it('refuses an application that is not active, and one with no current step', () => {
    expect(hurryTarget({ application: { status: 'connected' }, process, steps: [] })).toEqual({ kind: 'not_active', status: 'connected' });
    const allDone = process.steps.map((s) => stored(s.code, 'done'));
    expect(hurryTarget({ application: active, process, steps: allDone })).toEqual({ kind: 'no_current_step' });
  });

  it("refuses the customer's own work, naming the utility step that follows (none after the last)", () => {
    const onC3 = hurryTarget({ application: active, process, steps: [stored('S1', 'done'), stored('S2', 'done'), stored('C3', 'in_progress')] });
    expect(onC3).toMatchObject({ kind: 'customer_step', step: { code: 'C3' }, next: { code: 'S4' } });
    const onC5 = hurryTarget({ application: active, process, steps: ['S1', 'S2', 'C3', 'S4'].map((code) => stored(code, 'done')) });
    expect(onC5).toMatchObject({ kind: 'customer_step', step: { code: 'C5' }, next: null });
  });
});

describe('a first press', () => {
  it('is a new request for the step handler, in their team, escalating 4 working hours on, pressable again after the cooldown', () => {
    const decision = decidePress(facts());
    expect(decision).toEqual({
      kind: 'new',
      handlerId: 'H2',
      teamId: 'T2',
      notify: { kind: 'handler', handlerId: 'H2' },
      escalateAt: at('2026-11-24T14:30:00+08:00') + 2 * HOUR,
      nextPressAt: NOW + COOLDOWN,
    });
  });

  it('after a request answered longer ago than the cooldown is a new request', () => {
    const answered = latest({ status: 'answered', lastHurriedAt: NOW - COOLDOWN });
    expect(decidePress(facts({ latest: answered }))).toMatchObject({ kind: 'new', handlerId: 'H2' });
  });
});

describe('a press on a step already hurried', () => {
  it('within the cooldown is counted and refused until the cooldown ends', () => {
    const decision = decidePress(facts({ latest: latest({ lastHurriedAt: NOW - HOUR }) }));
    expect(decision).toEqual({
      kind: 'again',
      hurryId: 'CB2611240001',
      counted: true,
      count: 2,
      accepted: false,
      retryAfterSeconds: 23 * 60 * 60,
      nextPressAt: NOW + 23 * HOUR,
      escalation: null,
    });
  });

  it('refused a millisecond before the cooldown ends waits one whole second; at its end it is accepted and restarts it', () => {
    const last = NOW - COOLDOWN;
    expect(decidePress(facts({ latest: latest({ lastHurriedAt: last + 1 }) }))).toMatchObject({ accepted: false, retryAfterSeconds: 1, nextPressAt: NOW + 1000 });
    expect(decidePress(facts({ latest: latest({ lastHurriedAt: last }) }))).toMatchObject({ kind: 'again', counted: true, count: 2, accepted: true, retryAfterSeconds: null, nextPressAt: NOW + COOLDOWN });
  });

  it('without a cooldown is always accepted', () => {
    expect(decidePress(facts({ cooldownMs: 0, latest: latest({ lastHurriedAt: NOW }) }))).toMatchObject({ kind: 'again', accepted: true, count: 2, nextPressAt: NOW });
  });

  it(`escalates on exactly the ${ESCALATE_AT_COUNT}rd press of an open or acknowledged request, to its team's leads, refused or not`, () => {
    expect(decidePress(facts({ latest: latest({ count: 1 }) }))).toMatchObject({ count: 2, escalation: null });
    expect(decidePress(facts({ latest: latest({ count: 2 }) }))).toMatchObject({ count: 3, accepted: false, escalation: { reason: 'repeated', to: { kind: 'team_leads', teamId: 'T1' } } });
    expect(decidePress(facts({ latest: latest({ count: 2, status: 'acknowledged', lastHurriedAt: NOW - COOLDOWN }) }))).toMatchObject({
      count: 3,
      accepted: true,
      escalation: { reason: 'repeated', to: { kind: 'team_leads', teamId: 'T1' } },
    });
    // a request with no known team escalates to every team lead
    expect(decidePress(facts({ latest: latest({ count: 4, teamId: null }) }))).toMatchObject({ count: 5, escalation: { to: { kind: 'team_leads', teamId: null } } });
  });

  it('is counted but not escalated again once escalated', () => {
    expect(decidePress(facts({ latest: latest({ count: 3, status: 'escalated' }) }))).toMatchObject({ kind: 'again', counted: true, count: 4, escalation: null });
  });

  it('on a request answered within the cooldown is refused and not counted', () => {
    const answered = latest({ status: 'answered', count: 2, lastHurriedAt: NOW - HOUR });
    expect(decidePress(facts({ latest: answered }))).toEqual({
      kind: 'again',
      hurryId: 'CB2611240001',
      counted: false,
      count: 2,
      accepted: false,
      retryAfterSeconds: 23 * 60 * 60,
      nextPressAt: NOW + 23 * HOUR,
      escalation: null,
    });
  });
});

describe('who a new request goes to', () => {
  it("is the step's handler, in their team", () => {
    expect(routeNewHurry('S2', facts())).toEqual({ handlerId: 'H2', teamId: 'T2', notify: { kind: 'handler', handlerId: 'H2' } });
  });

  it('without a handler on the step: the team leads of whoever handled the application last, with nobody as its handler', () => {
    const steps = [stored('S1', 'done', 'H1', NOW - 24 * HOUR), stored('S4', 'done', 'H2', NOW - 48 * HOUR), stored('S2', 'in_progress')];
    expect(routeNewHurry('S2', facts({ steps }))).toEqual({ handlerId: null, teamId: 'T1', notify: { kind: 'team_leads', teamId: 'T1' } });
  });

  it("a step handler the staff table does not know counts as none, and so does an unknown earlier handler", () => {
    const steps = [stored('S1', 'done', 'GONE', NOW - HOUR), stored('S2', 'in_progress', 'NEW', NOW)];
    expect(routeNewHurry('S2', facts({ steps }))).toEqual({ handlerId: 'AM', teamId: 'T9', notify: { kind: 'handler', handlerId: 'AM' } });
  });

  it('when nobody handled the application: its account manager as its handler', () => {
    expect(routeNewHurry('S1', facts({ steps: [] }))).toEqual({ handlerId: 'AM', teamId: 'T9', notify: { kind: 'handler', handlerId: 'AM' } });
  });

  it('failing that (no account manager, or one the staff table does not know): every team lead', () => {
    const everyLead = { handlerId: null, teamId: null, notify: { kind: 'team_leads', teamId: null } };
    expect(routeNewHurry('S1', facts({ steps: [], accountManagerId: null }))).toEqual(everyLead);
    expect(routeNewHurry('S1', facts({ steps: [], accountManagerId: 'AM-GONE' }))).toEqual(everyLead);
  });

  it("goes in the decision too: without a step handler, nobody handles it and the last handler's leads are told", () => {
    const steps = [stored('S1', 'done', 'H1', NOW - HOUR), stored('S2', 'in_progress')];
    expect(decidePress(facts({ steps }))).toMatchObject({ kind: 'new', handlerId: null, teamId: 'T1', notify: { kind: 'team_leads', teamId: 'T1' } });
  });
});

describe('escalation after 4 working hours', () => {
  const due = (iso: string) => local(escalationDueAt(at(iso), calendar, hours, TZ));

  it('is exactly 4 working hours after the first press, within one period', () => {
    expect(due('2026-11-24T08:00:00+08:00')).toBe('2026-11-24T12:00:00+08:00');
  });

  it('does not count lunch', () => {
    expect(due('2026-11-24T11:00:00+08:00')).toBe('2026-11-24T17:30:00+08:00');
    // pressed over lunch: the clock starts when work does
    expect(due('2026-11-24T13:00:00+08:00')).toBe('2026-11-25T08:30:00+08:00');
  });

  it('does not count nights, holidays or weekends, and counts a 调休 Saturday', () => {
    // Thursday 16:00, then the Mid-Autumn holiday (Friday 25 September) and the weekend: 2 hours, then Monday
    expect(due('2026-09-24T16:00:00+08:00')).toBe('2026-09-28T10:00:00+08:00');
    // Friday 9 October 17:00: Saturday 10 October is a working day (调休) after the National Day holiday
    expect(due('2026-10-09T17:00:00+08:00')).toBe('2026-10-10T11:00:00+08:00');
    // New Year's Eve 2026 (Thursday) 17:00: the 1st is a holiday, then the weekend; Monday 4 January
    expect(due('2026-12-31T17:00:00+08:00')).toBe('2027-01-04T11:00:00+08:00');
  });

  it('escalates an open request at its escalation time, not a moment before, and never one acknowledged, answered or escalated', () => {
    const escalateAt = escalationDueAt(at('2026-11-24T11:00:00+08:00'), calendar, hours, TZ);
    expect(escalatesUnacknowledged({ status: 'open', escalateAt }, escalateAt - 1)).toBe(false);
    expect(escalatesUnacknowledged({ status: 'open', escalateAt }, escalateAt)).toBe(true);
    for (const status of ['acknowledged', 'answered', 'escalated'] as const) expect(escalatesUnacknowledged({ status, escalateAt }, escalateAt + HOUR), status).toBe(false);
  });

  it('is the escalation time a new request carries', () => {
    const pressed = at('2026-09-24T16:00:00+08:00');
    const decision = decidePress(facts({ now: pressed }));
    expect(decision.kind === 'new' && local(decision.escalateAt)).toBe('2026-09-28T10:00:00+08:00');
  });
});
