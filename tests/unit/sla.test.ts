import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWorkingCalendar } from '../../server/domain/calendar.ts';
import { DEFAULT_WARNING_RULE, getProcess, validateCatalog } from '../../server/domain/catalog.ts';
import { formatInstant } from '../../server/domain/dates.ts';
import { alertLevelAt, applicationLimitDueAt, owedAlertAt, warningInstant } from '../../server/domain/sla.ts';
import { DEFAULT_WORKING_HOURS, nextWorkingTime, subtractWorkingMinutes, workingMinutesBetween } from '../../server/domain/working-time.ts';

const TZ = 'Asia/Shanghai';
const calendar = buildWorkingCalendar();
const frame = { calendar, hours: DEFAULT_WORKING_HOURS, timeZone: TZ };
const at = (iso: string) => Date.parse(iso);
const local = (ms: number | null) => (ms === null ? null : formatInstant(ms, TZ));
const endOf = (date: string) => at(`${date}T23:59:59.999+08:00`);
const catalogJson = () => JSON.parse(readFileSync(new URL('../../catalog/processes.json', import.meta.url), 'utf8'));

describe('working time', () => {
  it('counts only working hours on workdays between two instants', () => {
    // Friday 16:00 → Monday 10:00: 1.5 h on Friday, 1.5 h on Monday
    expect(workingMinutesBetween(at('2026-11-27T16:00:00+08:00'), at('2026-11-30T10:00:00+08:00'), calendar, DEFAULT_WORKING_HOURS, TZ)).toBe(180);
    expect(workingMinutesBetween(at('2026-11-30T10:00:00+08:00'), at('2026-11-30T09:00:00+08:00'), calendar, DEFAULT_WORKING_HOURS, TZ)).toBe(0);
  });

  it('goes back over nights, weekends and National Day, answering the morning when it lands on one', () => {
    const back = (iso: string, minutes: number) => local(subtractWorkingMinutes(at(iso), minutes, calendar, DEFAULT_WORKING_HOURS, TZ));
    expect(back('2026-11-26T23:59:59.999+08:00', 540)).toBe('2026-11-26T08:30:00+08:00');
    expect(back('2026-11-30T10:00:00+08:00', 180)).toBe('2026-11-27T16:00:00+08:00');
    // 2026-10-08 is the first workday after the holiday; the one before it is 2026-09-30
    expect(back('2026-10-08T09:30:00+08:00', 120)).toBe('2026-09-30T16:30:00+08:00');
  });

  it('defers a message written at night or on a holiday to the next working morning', () => {
    const next = (iso: string) => local(nextWorkingTime(at(iso), calendar, DEFAULT_WORKING_HOURS, TZ));
    expect(next('2026-11-27T00:00:01+08:00')).toBe('2026-11-27T08:30:00+08:00');
    expect(next('2026-10-03T14:00:00+08:00')).toBe('2026-10-08T08:30:00+08:00');
    expect(next('2026-11-24T10:00:00+08:00')).toBe('2026-11-24T10:00:00+08:00');
  });
});

describe('warning instant', () => {
  it('is 1 working day before the due time when that comes before 20% of the allowed time', () => {
    // design_review, 3 workdays from Tuesday 09:30: 26 working hours allowed, 20% = 5.2 h < one 9-hour day
    expect(local(warningInstant(at('2026-11-24T09:30:00+08:00'), endOf('2026-11-26'), DEFAULT_WARNING_RULE, frame))).toBe('2026-11-26T08:30:00+08:00');
  });

  it('is 20% of the allowed working time before the due time when that comes first', () => {
    // plan_reply of hv_dual, 14 workdays from Monday 2026-11-23 08:30: 126 h allowed, 20% = 25.2 h = 2 days + 7.2 h
    const start = at('2026-11-23T08:30:00+08:00');
    const due = endOf('2026-12-10');
    expect(workingMinutesBetween(start, due, calendar, DEFAULT_WORKING_HOURS, TZ)).toBe(14 * 540);
    expect(local(warningInstant(start, due, DEFAULT_WARNING_RULE, frame))).toBe('2026-12-08T10:18:00+08:00');
  });

  it('warns a step allowed no more than the threshold as it starts', () => {
    const start = at('2026-11-24T10:00:00+08:00');
    expect(warningInstant(start, endOf('2026-11-24'), DEFAULT_WARNING_RULE, frame)).toBe(start);
  });

  it('takes the thresholds from the catalog, a step overriding its process and the process the catalog', () => {
    const json = catalogJson();
    json.warning = { remainingWorkdays: 2 };
    json.processes[2].warning = { remainingShare: 0.5 };
    json.processes[2].steps[3].warning = { remainingWorkdays: 0.5 };
    const catalog = validateCatalog(json);
    const hv = getProcess(catalog, 'hv_single');
    expect(getProcess(catalog, 'lv_resident').steps[0]!.warning).toEqual({ remainingWorkdays: 2, remainingShare: 0.2 });
    expect(hv.steps[0]!.warning).toEqual({ remainingWorkdays: 2, remainingShare: 0.5 });
    expect(hv.steps[3]!).toMatchObject({ code: 'design_review', warning: { remainingWorkdays: 0.5, remainingShare: 0.5 } });
    // half of design_review's 26 hours: 13 h before Thursday's end of work
    expect(local(warningInstant(at('2026-11-24T09:30:00+08:00'), endOf('2026-11-26'), hv.steps[3]!.warning!, frame))).toBe('2026-11-25T13:30:00+08:00');
  });

  it('refuses thresholds that make no sense', () => {
    const json = catalogJson();
    json.processes[0].steps[0].warning = { remainingShare: 1 };
    expect(() => validateCatalog(json)).toThrow(/^processes\[0\]\.steps\[0\]\.warning\.remainingShare must be a fraction/);
    const other = catalogJson();
    other.warning = { remainingWorkdays: -1 };
    expect(() => validateCatalog(other)).toThrow(/^warning\.remainingWorkdays must be a number of working days/);
  });
});

describe('the alert a step occurrence owes', () => {
  const warnAt = at('2026-11-26T08:30:00+08:00');
  const dueAt = endOf('2026-11-26');
  it('is the warning, then the overdue alert, then nothing', () => {
    expect(owedAlertAt({ warnAt, dueAt, warned: false, overdue: false })).toBe(warnAt);
    expect(owedAlertAt({ warnAt, dueAt, warned: true, overdue: false })).toBe(dueAt);
    expect(owedAlertAt({ warnAt, dueAt, warned: true, overdue: true })).toBeNull();
    expect(owedAlertAt({ warnAt: null, dueAt: null, warned: false, overdue: false })).toBeNull();
  });
  it('skips the warning once the step is due', () => {
    expect(alertLevelAt(dueAt - 1, dueAt)).toBe('warning');
    expect(alertLevelAt(dueAt, dueAt)).toBe('overdue');
  });
});

describe('application-level limit', () => {
  const done = (start: string, end: string) => ({ start: at(start), end: at(end) });
  const running = (start: string) => ({ start: at(start), end: null });

  it('in workdays: the days finished utility steps took, then the running one until the limit is used', () => {
    // 2 + 1 workdays used of 5: connect started Monday may run Monday and Tuesday
    const steps = [done('2026-11-19T09:00:00+08:00', '2026-11-20T10:00:00+08:00'), done('2026-11-20T11:00:00+08:00', '2026-11-20T15:00:00+08:00'), running('2026-11-23T09:00:00+08:00')];
    expect(local(applicationLimitDueAt({ days: 5, unit: 'workdays' }, steps, frame))).toBe('2026-11-24T23:59:59+08:00');
  });

  it('in calendar days, weekends and holidays count too', () => {
    const steps = [done('2026-09-28T09:00:00+08:00', '2026-09-29T10:00:00+08:00'), running('2026-09-30T09:00:00+08:00')];
    // 2 days used of 10: 8 more from 09-30 is 10-07, in the middle of National Day
    expect(local(applicationLimitDueAt({ days: 10, unit: 'calendar' }, steps, frame))).toBe('2026-10-07T23:59:59+08:00');
    // the same in workdays runs past the holiday: 09-30, 10-08, 10-09, 10-10 (a make-up Saturday), 10-12 …
    expect(local(applicationLimitDueAt({ days: 10, unit: 'workdays' }, steps, frame))).toBe('2026-10-15T23:59:59+08:00');
  });

  it('counts a workday limit from the next workday for steps started after working hours', () => {
    // an evening acceptance done the next morning took 1 workday (not 2); survey started Wed 19:00 counts from Thu:
    // 1 used of 5, so Thu, Fri, Mon, Tue
    const steps = [done('2026-11-23T19:00:00+08:00', '2026-11-24T10:00:00+08:00'), running('2026-11-25T19:00:00+08:00')];
    expect(local(applicationLimitDueAt({ days: 5, unit: 'workdays' }, steps, frame))).toBe('2026-12-01T23:59:59+08:00');
    // the same starts within working hours: 2 used, then Wed, Thu, Fri
    const daytime = [done('2026-11-23T17:00:00+08:00', '2026-11-24T10:00:00+08:00'), running('2026-11-25T17:00:00+08:00')];
    expect(local(applicationLimitDueAt({ days: 5, unit: 'workdays' }, daytime, frame))).toBe('2026-11-27T23:59:59+08:00');
    // calendar days stay calendar days: 2 used of 5, then Wed, Thu, Fri
    expect(local(applicationLimitDueAt({ days: 5, unit: 'calendar' }, steps, frame))).toBe('2026-11-27T23:59:59+08:00');
  });

  it('is nothing while no utility step runs, and at once when the limit is already used', () => {
    expect(applicationLimitDueAt({ days: 5, unit: 'workdays' }, [done('2026-11-19T09:00:00+08:00', '2026-11-20T10:00:00+08:00')], frame)).toBeNull();
    const start = '2026-11-30T09:00:00+08:00';
    const steps = [done('2026-11-16T09:00:00+08:00', '2026-11-20T10:00:00+08:00'), running(start)];
    expect(applicationLimitDueAt({ days: 5, unit: 'workdays' }, steps, frame)).toBe(at(start));
  });
});
