import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWorkingCalendar } from '../../server/domain/calendar.ts';
import { getProcess, validateCatalog } from '../../server/domain/catalog.ts';
import { isPlanCurrent, planningDayStart, refreshedPlan, type PlanFacts } from '../../server/domain/plan-refresh.ts';
import { DEFAULT_WORKING_HOURS } from '../../server/domain/working-time.ts';

// 2026-11-24 is a Tuesday; 11-28/29 a weekend; no holidays in late November 2026. Working hours 08:30-17:30.
// lv_resident: accept (1 workday, limit 1), survey (1, limit 1), connect (2, limit 3); total limit 5 workdays.
const catalog = validateCatalog(JSON.parse(readFileSync(new URL('../../catalog/processes.json', import.meta.url), 'utf8')));
const frame = { calendar: buildWorkingCalendar(), timeZone: 'Asia/Shanghai', workingHours: DEFAULT_WORKING_HOURS };
const at = (local: string) => Date.parse(`${local}+08:00`);
const endOfDay = (date: string) => Date.parse(`${date}T23:59:59.999+08:00`);

/** Accepted and surveyed from Mon 11-23 09:00, the survey still running. */
const surveying = (raised: PlanFacts['raised'] = []): PlanFacts => ({
  process: getProcess(catalog, 'lv_resident'),
  requestedConnectDate: null,
  active: true,
  steps: [
    { stepCode: 'accept', status: 'done', actualStart: at('2026-11-20T09:00:00'), actualEnd: at('2026-11-20T10:00:00') },
    { stepCode: 'survey', status: 'in_progress', actualStart: at('2026-11-23T09:00:00'), actualEnd: null },
    { stepCode: 'connect', status: 'pending', actualStart: null, actualEnd: null },
  ],
  raised,
});

describe('the refreshed plan: stored facts and now → the plan', () => {
  it('owes the nearly-used-limit risk only while the requested date is infeasible and the signal not yet raised', () => {
    const watched = (requestedConnectDate: string, raised: boolean): PlanFacts => ({ ...surveying(), requestedConnectDate, limitRisk: { share: 0.5, raised } });
    const now = at('2026-11-24T10:00:00');
    // half of the 5-workday limit: at risk once 3 workdays are used (11-20, 11-23, 11-24), with 2 left
    const infeasible = refreshedPlan(watched('2026-11-24', false), now, frame).application;
    expect(infeasible.planFeasible).toBe(false);
    expect(infeasible.riskLimitAt).toBe(endOfDay('2026-11-24'));
    expect(refreshedPlan(watched('2026-11-24', true), now, frame).application.riskLimitAt).toBeNull();
    const feasible = refreshedPlan(watched('2026-12-31', false), now, frame).application;
    expect(feasible.planFeasible).toBe(true);
    expect(feasible.riskLimitAt).toBeNull();
  });

  it('a running step late on a later day pushes the plan back from that day', () => {
    const tuesday = refreshedPlan(surveying(), at('2026-11-24T10:00:00'), frame);
    expect(tuesday.application).toMatchObject({ expectedConnectDate: '2026-11-26', plannedOn: '2026-11-24', planFeasible: true, planBasis: 'typical' });
    const wednesday = refreshedPlan(surveying(), at('2026-11-25T10:00:00'), frame);
    expect(wednesday.application).toEqual({
      expectedConnectDate: '2026-11-27',
      planFeasible: true,
      // connect at its floor of one workday
      earliestFeasibleDate: '2026-11-26',
      planBasis: 'typical',
      planCompressed: false,
      plannedOn: '2026-11-25',
      updatedAt: at('2026-11-25T10:00:00'),
      // 5 workdays from the survey's start: accept's day (11-20) counts one, the survey 11-23 … 11-26
      limitAlertAt: endOfDay('2026-11-26'),
      // no requested date: the nearly-used-limit risk is not watched
      riskLimitAt: null,
    });
    // the survey (one workday, due at the end of 11-23) was warned of as it started; no alert raised yet, the warning
    // is what it owes first
    expect(wednesday.steps).toEqual([
      { stepCode: 'accept', plannedStart: '2026-11-20', plannedEnd: '2026-11-20', dueAt: endOfDay('2026-11-20'), warnAt: null, alertAt: null },
      { stepCode: 'survey', plannedStart: '2026-11-23', plannedEnd: '2026-11-25', dueAt: endOfDay('2026-11-23'), warnAt: at('2026-11-23T09:00:00'), alertAt: at('2026-11-23T09:00:00') },
      { stepCode: 'connect', plannedStart: '2026-11-26', plannedEnd: '2026-11-27', dueAt: endOfDay('2026-11-27'), warnAt: null, alertAt: null },
    ]);
  });

  it('an alert already raised is not owed again, nor is an application not active owed any', () => {
    const raised = refreshedPlan(surveying([{ stepCode: 'survey', occurrence: at('2026-11-23T09:00:00'), level: 'overdue' }, { stepCode: '', occurrence: 0, level: 'overdue' }]), at('2026-11-25T10:00:00'), frame);
    expect(raised.steps[1]).toMatchObject({ stepCode: 'survey', alertAt: null });
    expect(raised.application.limitAlertAt).toBeNull();
    const suspended = refreshedPlan({ ...surveying(), active: false }, at('2026-11-25T10:00:00'), frame);
    expect(suspended.steps[1]).toMatchObject({ stepCode: 'survey', alertAt: null });
    expect(suspended.application.limitAlertAt).toBeNull();
  });

  it('after working hours the day is over: steps not under way are planned from the next workday', () => {
    const facts: PlanFacts = {
      ...surveying(),
      steps: [
        { stepCode: 'accept', status: 'done', actualStart: at('2026-11-24T08:30:00'), actualEnd: at('2026-11-24T08:45:00') },
        { stepCode: 'survey', status: 'in_progress', actualStart: at('2026-11-24T09:00:00'), actualEnd: null },
        { stepCode: 'connect', status: 'pending', actualStart: null, actualEnd: null },
      ],
    };
    expect(refreshedPlan(facts, at('2026-11-24T17:29:00'), frame).application.expectedConnectDate).toBe('2026-11-26');
    const evening = refreshedPlan(facts, at('2026-11-24T17:31:00'), frame);
    expect(evening.application).toMatchObject({ expectedConnectDate: '2026-11-27', plannedOn: '2026-11-24' });
    // the due time stays on its calendar day
    expect(evening.steps[1]).toMatchObject({ plannedEnd: '2026-11-25', dueAt: endOfDay('2026-11-24') });
  });
});

describe('whether a stored plan is current', () => {
  it('a plan is current on the day it was made until the working hours end, then only if made after their end', () => {
    const madeAt = (local: string) => ({ plannedOn: local.slice(0, 10), plannedAt: at(local) });
    expect(isPlanCurrent(madeAt('2026-11-24T10:00:00'), at('2026-11-24T17:29:59'), frame)).toBe(true);
    expect(isPlanCurrent(madeAt('2026-11-24T10:00:00'), at('2026-11-24T17:30:00'), frame)).toBe(false);
    expect(isPlanCurrent(madeAt('2026-11-24T17:30:00'), at('2026-11-24T23:00:00'), frame)).toBe(true);
    expect(isPlanCurrent(madeAt('2026-11-24T23:59:00'), at('2026-11-25T00:00:00'), frame)).toBe(false);
    // a day off has no working hours to end: Saturday's morning plan holds all day
    expect(isPlanCurrent(madeAt('2026-11-28T09:00:00'), at('2026-11-28T20:00:00'), frame)).toBe(true);
  });

  it('the planning day starts at midnight, and again when a workday\'s working hours end', () => {
    expect(planningDayStart(at('2026-11-24T10:00:00'), frame)).toBe(at('2026-11-24T00:00:00'));
    expect(planningDayStart(at('2026-11-24T18:00:00'), frame)).toBe(at('2026-11-24T17:30:00'));
    expect(planningDayStart(at('2026-11-28T18:00:00'), frame)).toBe(at('2026-11-28T00:00:00'));
    const lunchBreak = { ...frame, workingHours: { periods: [{ start: 8 * 60, end: 12 * 60 }, { start: 14 * 60 + 30, end: 18 * 60 }] } };
    expect(planningDayStart(at('2026-11-24T13:00:00'), lunchBreak)).toBe(at('2026-11-24T00:00:00'));
    expect(planningDayStart(at('2026-11-24T18:00:00'), lunchBreak)).toBe(at('2026-11-24T18:00:00'));
  });
});
