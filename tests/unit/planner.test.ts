import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWorkingCalendar } from '../../server/domain/calendar.ts';
import { getProcess, validateCatalog, type Process } from '../../server/domain/catalog.ts';
import { planApplication, type Plan, type PlanInput, type StepRecord } from '../../server/domain/planner.ts';

// Calendar facts used below (2026 from the State Council schedule, 2027 provisional):
// - 2026-11-24 is a Tuesday; no holidays until 2027-01-01 (Fri, 元旦).
// - 2027 Spring Festival 除夕 Fri 02-05 … 初三 Mon 02-08; 清明 Mon 2027-04-05.
// - Workdays from 2026-11-24 (T+0): T+3 11-27, T+4 11-30, T+26 12-30, T+27 12-31, T+28 2027-01-04,
//   T+29 01-05, T+30 01-06, T+31 01-07, T+32 01-08, T+33 01-11, T+34 01-12, T+35 01-13, T+37 01-15.

const catalog = validateCatalog(JSON.parse(readFileSync(new URL('../../catalog/processes.json', import.meta.url), 'utf8')));
const calendar = buildWorkingCalendar();
const timeZone = 'Asia/Shanghai';
const TODAY = '2026-11-24';

const lvResident = getProcess(catalog, 'lv_resident');
const lvBusiness = getProcess(catalog, 'lv_business');
const hvSingle = getProcess(catalog, 'hv_single');
const hvDual = getProcess(catalog, 'hv_dual');

/** An instant given as Shanghai wall-clock time. */
const at = (localDateTime: string): number => Date.parse(`${localDateTime}+08:00`);
const endOfShanghaiDay = (date: string): number => Date.parse(`${date}T23:59:59.999+08:00`);

type Progress = Record<string, { status: 'in_progress' | 'done'; start: string; end?: string }>;

function records(process: Process, progress: Progress = {}): StepRecord[] {
  return process.steps.map((s) => {
    const p = progress[s.code];
    if (p === undefined) return { code: s.code, status: 'pending', actualStart: null, actualEnd: null };
    return { code: s.code, status: p.status, actualStart: at(p.start), actualEnd: p.end === undefined ? null : at(p.end) };
  });
}

function plan(process: Process, options: Partial<PlanInput> & { progress?: Progress } = {}): Plan {
  const { progress, ...rest } = options;
  return planApplication({
    process,
    steps: records(process, progress),
    requestedConnectDate: null,
    today: TODAY,
    calendar,
    timeZone,
    ...rest,
  });
}

/** [code, plannedStart, plannedEnd] per step. */
const dates = (p: Plan) => p.steps.map((s) => [s.code, s.plannedStart, s.plannedEnd]);
const step = (p: Plan, code: string) => p.steps.find((s) => s.code === code)!;

const acceptDone: Progress = { accept: { status: 'done', start: '2026-11-23T09:00:00', end: '2026-11-23T11:00:00' } };

describe('planning forward from today without a requested date', () => {
  it('schedules typical durations from today', () => {
    const p = plan(lvResident, { progress: acceptDone });
    expect(dates(p)).toEqual([
      ['accept', '2026-11-23', '2026-11-23'],
      ['survey', '2026-11-24', '2026-11-24'],
      ['connect', '2026-11-25', '2026-11-26'],
    ]);
    expect(p).toMatchObject({ expectedConnectDate: '2026-11-26', feasible: true, basis: 'typical', compressed: false });
    // Survey and connect at one workday each.
    expect(p.earliestFeasibleDate).toBe('2026-11-25');
  });

  it('starts on the next workday when today is a weekend day', () => {
    const p = plan(lvResident, { today: '2026-11-28' });
    expect(step(p, 'accept').plannedStart).toBe('2026-11-30');
  });

  it('works the Spring Festival make-up Saturday and skips the holiday (2026)', () => {
    // Today Thu 02-12: accept 02-12, survey Fri 02-13, plan_reply Sat 02-14 (make-up), holiday 02-15…02-23,
    // external_works 02-24…02-25, connect 02-26.
    const p = plan(lvBusiness, { today: '2026-02-12' });
    expect(dates(p)).toEqual([
      ['accept', '2026-02-12', '2026-02-12'],
      ['survey', '2026-02-13', '2026-02-13'],
      ['plan_reply', '2026-02-14', '2026-02-14'],
      ['external_works', '2026-02-24', '2026-02-25'],
      ['connect', '2026-02-26', '2026-02-26'],
    ]);
    expect(p.expectedConnectDate).toBe('2026-02-26');
    expect(p.earliestFeasibleDate).toBe('2026-02-25');
  });

  it('skips National Day and works the make-up Saturday after it (2026)', () => {
    // Today Wed 09-30: accept 09-30, holiday 10-01…10-07, survey 10-08, plan_reply 10-09,
    // external_works Sat 10-10 (make-up) and Mon 10-12, connect 10-13.
    const p = plan(lvBusiness, { today: '2026-09-30' });
    expect(dates(p)).toEqual([
      ['accept', '2026-09-30', '2026-09-30'],
      ['survey', '2026-10-08', '2026-10-08'],
      ['plan_reply', '2026-10-09', '2026-10-09'],
      ['external_works', '2026-10-10', '2026-10-12'],
      ['connect', '2026-10-13', '2026-10-13'],
    ]);
  });

  it('sets due times at the end of the planned end day, and none for customer steps', () => {
    const p = plan(hvSingle, { progress: acceptDone });
    expect(step(p, 'survey').dueAt).toBe(endOfShanghaiDay('2026-11-24'));
    expect(step(p, 'plan_reply').dueAt).toBe(endOfShanghaiDay('2026-11-30'));
    expect(step(p, 'construction')).toEqual({ code: 'construction', plannedStart: '2026-12-03', plannedEnd: '2027-01-07', dueAt: null });
  });
});

describe('planning backwards from the requested date (倒排)', () => {
  it('ends the last step on the requested date and chains the others before it', () => {
    // Requested Sat 10-10, a make-up workday: connect 10-09…10-10, survey 10-08, accept 09-30.
    const p = plan(lvResident, { today: '2026-09-21', requestedConnectDate: '2026-10-10' });
    expect(dates(p)).toEqual([
      ['accept', '2026-09-30', '2026-09-30'],
      ['survey', '2026-10-08', '2026-10-08'],
      ['connect', '2026-10-09', '2026-10-10'],
    ]);
    expect(p).toMatchObject({ expectedConnectDate: '2026-10-10', feasible: true, basis: 'requested_date', compressed: false });
    expect(step(p, 'accept').dueAt).toBe(endOfShanghaiDay('2026-09-30'));
  });

  it('ends on the last workday before a requested holiday', () => {
    // Requested 10-05 (holiday): last workday before it is Wed 09-30; connect 09-29…09-30, survey 09-28,
    // accept Thu 09-24 (中秋 takes Fri 09-25 … Sun 09-27 off).
    const p = plan(lvResident, { today: '2026-09-21', requestedConnectDate: '2026-10-05' });
    expect(dates(p)).toEqual([
      ['accept', '2026-09-24', '2026-09-24'],
      ['survey', '2026-09-28', '2026-09-28'],
      ['connect', '2026-09-29', '2026-09-30'],
    ]);
    expect(p.expectedConnectDate).toBe('2026-09-30');
  });

  describe('into 2027, whose official schedule is not yet known (planned on 2026-11-24)', () => {
    const forbidden = new Set(['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-04-05']);
    const onForbiddenDays = (p: Plan) =>
      p.steps.flatMap((s) => [s.plannedStart, s.plannedEnd]).filter((d) => d !== null && forbidden.has(d));

    it('plans a March connection around New Year and Spring Festival', () => {
      // Backwards from Mon 2027-03-01: connect Fri 02-26 + Mon 03-01; contract 02-25; completion 02-23…02-24;
      // mid 02-22; construction 25 workdays ending Fri 02-19, which skip 02-05, 02-08 and the days in lieu
      // 02-09, 02-10 (Jan 12–15: 4, Jan 18–29: 10, Feb 1–4: 4, Feb 11–12: 2, Feb 15–19: 5), so it starts Tue 01-12;
      // design Fri 01-08 + Mon 01-11; plan_reply 4 days 01-04…01-07; survey Thu 2026-12-31 (01-01 is a holiday);
      // accept 2026-12-30.
      const p = plan(hvSingle, { requestedConnectDate: '2027-03-01' });
      expect(dates(p)).toEqual([
        ['accept', '2026-12-30', '2026-12-30'],
        ['survey', '2026-12-31', '2026-12-31'],
        ['plan_reply', '2027-01-04', '2027-01-07'],
        ['design_review', '2027-01-08', '2027-01-11'],
        ['construction', '2027-01-12', '2027-02-19'],
        ['mid_inspection', '2027-02-22', '2027-02-22'],
        ['completion_inspection', '2027-02-23', '2027-02-24'],
        ['contract', '2027-02-25', '2027-02-25'],
        ['connect', '2027-02-26', '2027-03-01'],
      ]);
      expect(p).toMatchObject({ expectedConnectDate: '2027-03-01', feasible: true, basis: 'requested_date' });
      expect(onForbiddenDays(p)).toEqual([]);
    });

    it('does not work on New Year’s Day 2027', () => {
      // Requested Tue 01-05: connect 01-04…01-05, survey Thu 2026-12-31 (not Fri 01-01), accept 12-30.
      const p = plan(lvResident, { requestedConnectDate: '2027-01-05' });
      expect(dates(p)).toEqual([
        ['accept', '2026-12-30', '2026-12-30'],
        ['survey', '2026-12-31', '2026-12-31'],
        ['connect', '2027-01-04', '2027-01-05'],
      ]);
    });

    it('does not work from 除夕 to 初三 2027 nor on the days in lieu after it', () => {
      // Requested Thu 02-11: 02-05…02-08 are 除夕…初三 and 02-09, 02-10 days in lieu, so connect Thu 02-04 + Thu 02-11,
      // survey 02-03, accept 02-02.
      const p = plan(lvResident, { requestedConnectDate: '2027-02-11' });
      expect(dates(p)).toEqual([
        ['accept', '2027-02-02', '2027-02-02'],
        ['survey', '2027-02-03', '2027-02-03'],
        ['connect', '2027-02-04', '2027-02-11'],
      ]);
    });

    it('does not work on Qingming 2027', () => {
      // Today Thu 04-01, requested Wed 04-07: connect 04-06…04-07, survey Fri 04-02 (not Mon 04-05), accept 04-01.
      const p = plan(lvResident, { today: '2027-04-01', requestedConnectDate: '2027-04-07' });
      expect(dates(p)).toEqual([
        ['accept', '2027-04-01', '2027-04-01'],
        ['survey', '2027-04-02', '2027-04-02'],
        ['connect', '2027-04-06', '2027-04-07'],
      ]);
      expect(onForbiddenDays(p)).toEqual([]);
    });
  });
});

describe('compressing utility steps to meet the requested date', () => {
  // hv_single with accept done, today T = 2026-11-24. Remaining typical durations: survey 1, plan_reply 4,
  // design 2, construction 25 (customer), mid 1, completion 2, contract 1, connect 2 = 38 workdays (T…T+37).
  // Compressible to the floor of 1: plan_reply 3, design 1, completion 1, connect 1 = 6.

  it('needs no compression when the typical plan fits', () => {
    const p = plan(hvSingle, { progress: acceptDone, requestedConnectDate: '2027-01-15' });
    expect(p).toMatchObject({ expectedConnectDate: '2027-01-15', feasible: true, basis: 'requested_date', compressed: false });
    expect(step(p, 'survey').plannedStart).toBe(TODAY);
  });

  it('shares a shortfall in proportion to what each step can give', () => {
    // Requested 01-11 = T+33: 34 workdays, 4 short. Shares 4·3/6 = 2, 4·1/6 = 0.67 ×3 → 2, 0, 0, 0 and two
    // left over for the equal fractions, in process order: design and completion. Connect keeps 2.
    const p = plan(hvSingle, { progress: acceptDone, requestedConnectDate: '2027-01-11' });
    expect(dates(p)).toEqual([
      ['accept', '2026-11-23', '2026-11-23'],
      ['survey', '2026-11-24', '2026-11-24'],
      ['plan_reply', '2026-11-25', '2026-11-26'],
      ['design_review', '2026-11-27', '2026-11-27'],
      ['construction', '2026-11-30', '2027-01-04'],
      ['mid_inspection', '2027-01-05', '2027-01-05'],
      ['completion_inspection', '2027-01-06', '2027-01-06'],
      ['contract', '2027-01-07', '2027-01-07'],
      ['connect', '2027-01-08', '2027-01-11'],
    ]);
    expect(p).toMatchObject({ expectedConnectDate: '2027-01-11', feasible: true, basis: 'requested_date', compressed: true });
  });

  it('gives leftover days to the largest fractions first', () => {
    // Requested 01-08 = T+32: 5 short. Shares 2.5, 0.83, 0.83, 0.83 → 2, 0, 0, 0; the three 0.83s take the
    // three left over before plan_reply's 0.5: plan_reply 2, design 1, completion 1, connect 1.
    const p = plan(hvSingle, { progress: acceptDone, requestedConnectDate: '2027-01-08' });
    expect(step(p, 'plan_reply')).toMatchObject({ plannedStart: '2026-11-25', plannedEnd: '2026-11-26' });
    expect(step(p, 'connect')).toMatchObject({ plannedStart: '2027-01-08', plannedEnd: '2027-01-08' });
    expect(step(p, 'completion_inspection')).toMatchObject({ plannedStart: '2027-01-06', plannedEnd: '2027-01-06' });
  });

  it('never compresses the customer’s own work', () => {
    // At full compression (requested 01-07 = T+31) construction still takes 25 workdays: 11-27 … 12-31.
    const p = plan(hvSingle, { progress: acceptDone, requestedConnectDate: '2027-01-07' });
    expect(step(p, 'construction')).toMatchObject({ plannedStart: '2026-11-27', plannedEnd: '2026-12-31' });
    expect(step(p, 'survey')).toMatchObject({ plannedStart: TODAY, plannedEnd: TODAY });
    expect(step(p, 'connect')).toMatchObject({ plannedStart: '2027-01-07', plannedEnd: '2027-01-07' });
    expect(p).toMatchObject({ feasible: true, compressed: true, earliestFeasibleDate: '2027-01-07' });
  });

  it('respects floors set in the catalog', () => {
    // a: typical 5, floor 3; b: customer, 3; c: typical 4, floor 2. Typical total 12, compressible 2 + 2.
    const custom = getProcess(
      validateCatalog({
        steps: {
          a: { name: '甲', side: 'utility' },
          b: { name: '乙', side: 'customer' },
          c: { name: '丙', side: 'utility' },
        },
        processes: [
          {
            code: 'custom',
            name: '测试',
            totalLimit: { days: 20, unit: 'workdays' },
            steps: [
              { code: 'a', limitWorkdays: 6, typicalWorkdays: 5, minWorkdays: 3 },
              { code: 'b', typicalWorkdays: 3 },
              { code: 'c', limitWorkdays: 4, typicalWorkdays: 4, minWorkdays: 2 },
            ],
          },
        ],
      }),
      'custom',
    );
    // Requested 12-04 = T+8: 9 workdays, 3 short: 1.5 each → 1 each, the tie goes to a: a 3, b 3, c 3.
    expect(dates(plan(custom, { requestedConnectDate: '2026-12-04' }))).toEqual([
      ['a', '2026-11-24', '2026-11-26'],
      ['b', '2026-11-27', '2026-12-01'],
      ['c', '2026-12-02', '2026-12-04'],
    ]);
    // Requested 12-03 = T+7: both at their floors, a 3 and c 2.
    const atFloors = plan(custom, { requestedConnectDate: '2026-12-03' });
    expect(dates(atFloors)).toEqual([
      ['a', '2026-11-24', '2026-11-26'],
      ['b', '2026-11-27', '2026-12-01'],
      ['c', '2026-12-02', '2026-12-03'],
    ]);
    expect(atFloors.earliestFeasibleDate).toBe('2026-12-03');
    expect(plan(custom, { requestedConnectDate: '2026-12-02' }).feasible).toBe(false);
  });
});

describe('a requested date that cannot be met', () => {
  it('plans forward with typical durations and reports the earliest feasible date', () => {
    // Requested 01-06 = T+30, one workday before the floor plan's end T+31 = 01-07.
    const p = plan(hvSingle, { progress: acceptDone, requestedConnectDate: '2027-01-06' });
    expect(p).toMatchObject({
      feasible: false,
      basis: 'typical',
      compressed: false,
      earliestFeasibleDate: '2027-01-07',
      expectedConnectDate: '2027-01-15',
    });
    expect(dates(p)).toEqual(dates(plan(hvSingle, { progress: acceptDone })));
    expect(dates(p).at(-1)).toEqual(['connect', '2027-01-14', '2027-01-15']);
  });

  it('is infeasible when the requested date has passed', () => {
    const p = plan(lvResident, { requestedConnectDate: '2026-11-20' });
    expect(p).toMatchObject({ feasible: false, earliestFeasibleDate: '2026-11-26', expectedConnectDate: '2026-11-27' });
  });

  it('makes the earliest feasible date feasible and the workday before it not, for every process', () => {
    const cases: [Process, Progress, string][] = [
      [lvResident, {}, TODAY],
      [lvBusiness, {}, '2026-02-12'],
      [lvBusiness, { accept: { status: 'done', start: '2026-09-29T09:00:00', end: '2026-09-29T10:00:00' } }, '2026-09-30'],
      [hvSingle, acceptDone, TODAY],
      [hvDual, {}, TODAY],
      [hvDual, { accept: { status: 'done', start: '2026-11-02T09:00:00', end: '2026-11-02T10:00:00' }, survey: { status: 'in_progress', start: '2026-11-03T09:00:00' } }, TODAY],
      [hvSingle, { accept: { status: 'done', start: '2026-11-20T09:00:00', end: '2026-11-20T10:00:00' }, survey: { status: 'done', start: '2026-11-20T11:00:00', end: '2026-11-20T12:00:00' }, plan_reply: { status: 'in_progress', start: '2026-11-23T09:00:00' } }, TODAY],
    ];
    for (const [process, progress, today] of cases) {
      const earliest = plan(process, { progress, today }).earliestFeasibleDate!;
      const atEarliest = plan(process, { progress, today, requestedConnectDate: earliest });
      expect(atEarliest, `${process.code} on ${earliest}`).toMatchObject({ feasible: true, expectedConnectDate: earliest });
      const dayBefore = calendar.addWorkdays(earliest, -1);
      expect(plan(process, { progress, today, requestedConnectDate: dayBefore }).feasible, `${process.code} on ${dayBefore}`).toBe(false);
    }
  });
});

describe('steps already under way', () => {
  it('keeps completed steps at their actual local dates', () => {
    // Accept ran 00:30–08:00 Shanghai time on 11-24, which is still 11-23 in UTC.
    const p = plan(hvSingle, {
      progress: { accept: { status: 'done', start: '2026-11-24T00:30:00', end: '2026-11-24T08:00:00' } },
    });
    expect(step(p, 'accept')).toEqual({ code: 'accept', plannedStart: TODAY, plannedEnd: TODAY, dueAt: endOfShanghaiDay(TODAY) });
  });

  it('judges a late completed step against its limit from the actual start', () => {
    // Survey (limit 2) started Fri 11-20, done Wed 11-25: due end of Mon 11-23.
    const p = plan(hvSingle, {
      today: '2026-11-26',
      progress: {
        accept: { status: 'done', start: '2026-11-19T09:00:00', end: '2026-11-19T10:00:00' },
        survey: { status: 'done', start: '2026-11-20T09:00:00', end: '2026-11-25T16:00:00' },
      },
    });
    expect(step(p, 'survey')).toEqual({ code: 'survey', plannedStart: '2026-11-20', plannedEnd: '2026-11-25', dueAt: endOfShanghaiDay('2026-11-23') });
    expect(step(p, 'plan_reply').plannedStart).toBe('2026-11-26');
  });

  it('counts the limit of a step started after working hours, or on a day off, from the next workday', () => {
    const accept = (start: string, extra: Partial<PlanInput> = {}, end?: string) =>
      step(plan(lvResident, { progress: { accept: end === undefined ? { status: 'in_progress', start } : { status: 'done', start, end } }, ...extra }), 'accept');
    // Tue 11-24 19:00: nobody can work on it before Wed, so its one workday is Wed (not due at Tue midnight)
    expect(accept('2026-11-24T19:00:00')).toEqual({ code: 'accept', plannedStart: TODAY, plannedEnd: '2026-11-25', dueAt: endOfShanghaiDay('2026-11-25') });
    expect(accept('2026-11-24T17:30:00').dueAt).toBe(endOfShanghaiDay('2026-11-25'));
    // within working hours, or before they begin, the day itself counts
    expect(accept('2026-11-24T17:29:00').dueAt).toBe(endOfShanghaiDay(TODAY));
    expect(accept('2026-11-24T07:00:00').dueAt).toBe(endOfShanghaiDay(TODAY));
    // Fri evening and the weekend: Mon 11-30; National Day 2026 (10-01…07 off): Thu 10-08
    expect(accept('2026-11-27T19:00:00', { today: '2026-11-27' }).dueAt).toBe(endOfShanghaiDay('2026-11-30'));
    expect(accept('2026-11-28T10:00:00', { today: '2026-11-28' }).dueAt).toBe(endOfShanghaiDay('2026-11-30'));
    expect(accept('2026-09-30T18:00:00', { today: '2026-09-30' }).dueAt).toBe(endOfShanghaiDay('2026-10-08'));
    // the same rule once done: an evening start done the next afternoon was on time
    expect(accept('2026-11-24T19:00:00', { today: '2026-11-25' }, '2026-11-25T16:00:00').dueAt).toBe(endOfShanghaiDay('2026-11-25'));
    // the caller's working hours decide what "after working hours" is
    expect(accept('2026-11-24T17:45:00', { workingHours: { periods: [{ start: 9 * 60, end: 18 * 60 }] } }).dueAt).toBe(endOfShanghaiDay(TODAY));
  });

  it('plans from the next workday when planning after working hours', () => {
    const evening = plan(lvResident, { now: at('2026-11-24T19:00:00') });
    const morning = plan(lvResident, { now: at('2026-11-24T10:00:00') });
    expect(step(morning, 'accept')).toMatchObject({ plannedStart: TODAY, plannedEnd: TODAY });
    expect(step(evening, 'accept')).toMatchObject({ plannedStart: '2026-11-25', plannedEnd: '2026-11-25', dueAt: endOfShanghaiDay('2026-11-25') });
    expect(dates(evening).slice(1)).toEqual(dates(plan(lvResident, { today: '2026-11-25' })).slice(1));
    // Friday evening: Monday; before working hours the day still counts
    expect(step(plan(lvResident, { today: '2026-11-27', now: at('2026-11-27T18:00:00') }), 'accept').plannedStart).toBe('2026-11-30');
    expect(step(plan(lvResident, { now: at('2026-11-24T07:00:00') }), 'accept').plannedStart).toBe(TODAY);
    // the evening plan is what a step started that evening gets: the same expected date
    const startedThatEvening = plan(lvResident, { now: at('2026-11-24T19:05:00'), progress: { accept: { status: 'in_progress', start: '2026-11-24T19:05:00' } } });
    expect(startedThatEvening.expectedConnectDate).toBe(evening.expectedConnectDate);
    // the day lost in the evening: the morning's typical date now needs compressing, its earliest one cannot be met
    expect(morning).toMatchObject({ expectedConnectDate: '2026-11-27', earliestFeasibleDate: '2026-11-26' });
    const eveningFor = (requestedConnectDate: string) => plan(lvResident, { requestedConnectDate, now: at('2026-11-24T19:00:00') });
    expect(eveningFor('2026-11-27')).toMatchObject({ feasible: true, compressed: true, expectedConnectDate: '2026-11-27' });
    expect(eveningFor('2026-11-26')).toMatchObject({ feasible: false, earliestFeasibleDate: '2026-11-27' });
  });

  it('keeps a running step due today when planning after working hours, though it can no longer end today', () => {
    // plan_reply (typical 4, limit 6) since Mon 11-23: planned to end, and due, Thu 11-26; at 19:00 that day it is
    // planned to end Friday (nobody works on it tonight) but still due Thursday: an evening re-plan never postpones a due time
    const progress: Progress = {
      accept: { status: 'done', start: '2026-11-20T09:00:00', end: '2026-11-20T10:00:00' },
      survey: { status: 'done', start: '2026-11-20T11:00:00', end: '2026-11-20T12:00:00' },
      plan_reply: { status: 'in_progress', start: '2026-11-23T14:00:00' },
    };
    const afternoon = plan(hvSingle, { today: '2026-11-26', now: at('2026-11-26T15:00:00'), progress });
    const evening = plan(hvSingle, { today: '2026-11-26', now: at('2026-11-26T19:00:00'), progress });
    expect(step(afternoon, 'plan_reply')).toEqual({ code: 'plan_reply', plannedStart: '2026-11-23', plannedEnd: '2026-11-26', dueAt: endOfShanghaiDay('2026-11-26') });
    expect(step(evening, 'plan_reply')).toEqual({ code: 'plan_reply', plannedStart: '2026-11-23', plannedEnd: '2026-11-27', dueAt: endOfShanghaiDay('2026-11-26') });
    // the next morning's plan is the evening's: the move is told once
    const nextMorning = plan(hvSingle, { today: '2026-11-27', now: at('2026-11-27T09:00:00'), progress });
    expect(nextMorning.steps.map((s) => [s.plannedStart, s.plannedEnd])).toEqual(evening.steps.map((s) => [s.plannedStart, s.plannedEnd]));
    expect(nextMorning.expectedConnectDate).toBe(evening.expectedConnectDate);
  });

  it('keeps the actual start of the step in progress and its typical end', () => {
    // plan_reply (typical 4, limit 6) since Mon 11-23: ends Thu 11-26; design Fri 11-27 and Mon 11-30.
    const p = plan(hvSingle, {
      progress: {
        accept: { status: 'done', start: '2026-11-20T09:00:00', end: '2026-11-20T10:00:00' },
        survey: { status: 'done', start: '2026-11-20T11:00:00', end: '2026-11-20T12:00:00' },
        plan_reply: { status: 'in_progress', start: '2026-11-23T14:00:00' },
      },
    });
    expect(step(p, 'plan_reply')).toEqual({ code: 'plan_reply', plannedStart: '2026-11-23', plannedEnd: '2026-11-26', dueAt: endOfShanghaiDay('2026-11-26') });
    expect(step(p, 'design_review')).toMatchObject({ plannedStart: '2026-11-27', plannedEnd: '2026-11-30' });
    // Typical: construction 12-01…01-05, mid 01-06, completion 01-07…01-08, contract 01-11, connect 01-12…01-13.
    expect(p.expectedConnectDate).toBe('2027-01-13');
  });

  it('plans an overdue step to end today while its due time stays at its limit', () => {
    // Survey (typical 1, limit 2) since Fri 11-20: planned to end today, 11-24; due end of Mon 11-23.
    const p = plan(hvSingle, {
      progress: {
        accept: { status: 'done', start: '2026-11-19T09:00:00', end: '2026-11-19T10:00:00' },
        survey: { status: 'in_progress', start: '2026-11-20T10:00:00' },
      },
    });
    expect(step(p, 'survey')).toEqual({ code: 'survey', plannedStart: '2026-11-20', plannedEnd: TODAY, dueAt: endOfShanghaiDay('2026-11-23') });
    expect(step(p, 'plan_reply').plannedStart).toBe('2026-11-25');
  });

  it('counts the limit of a step started on a weekend from the next workday', () => {
    // Survey started Sat 11-21: its first workday is Mon 11-23, so limit 2 ends Tue 11-24.
    const p = plan(hvSingle, {
      progress: {
        accept: { status: 'done', start: '2026-11-20T09:00:00', end: '2026-11-20T10:00:00' },
        survey: { status: 'in_progress', start: '2026-11-21T10:00:00' },
      },
    });
    expect(step(p, 'survey')).toEqual({ code: 'survey', plannedStart: '2026-11-21', plannedEnd: TODAY, dueAt: endOfShanghaiDay(TODAY) });
  });

  it('caps the due time by the limit when a late requested date stretches the step in progress', () => {
    // Requested Fri 12-04: connect 12-03…12-04, survey 12-02, so accept (since 11-24, limit 1) is planned to
    // run until 12-01, but is due at the end of 11-24.
    const p = plan(lvResident, {
      requestedConnectDate: '2026-12-04',
      progress: { accept: { status: 'in_progress', start: '2026-11-24T09:00:00' } },
    });
    expect(dates(p)).toEqual([
      ['accept', '2026-11-24', '2026-12-01'],
      ['survey', '2026-12-02', '2026-12-02'],
      ['connect', '2026-12-03', '2026-12-04'],
    ]);
    expect(step(p, 'accept').dueAt).toBe(endOfShanghaiDay(TODAY));
    expect(step(p, 'connect').dueAt).toBe(endOfShanghaiDay('2026-12-04'));
  });

  it('compresses the step in progress only down to today', () => {
    // plan_reply since Mon 11-23 would end Thu 11-26 (T+2); compressing it can save 2 days (to today), the
    // rest 1 each for design, completion and connect: earliest T+30 = 01-06.
    const progress: Progress = {
      accept: { status: 'done', start: '2026-11-20T09:00:00', end: '2026-11-20T10:00:00' },
      survey: { status: 'done', start: '2026-11-20T11:00:00', end: '2026-11-20T12:00:00' },
      plan_reply: { status: 'in_progress', start: '2026-11-23T14:00:00' },
    };
    const p = plan(hvSingle, { progress, requestedConnectDate: '2027-01-06' });
    expect(dates(p)).toEqual([
      ['accept', '2026-11-20', '2026-11-20'],
      ['survey', '2026-11-20', '2026-11-20'],
      ['plan_reply', '2026-11-23', TODAY],
      ['design_review', '2026-11-25', '2026-11-25'],
      ['construction', '2026-11-26', '2026-12-30'],
      ['mid_inspection', '2026-12-31', '2026-12-31'],
      ['completion_inspection', '2027-01-04', '2027-01-04'],
      ['contract', '2027-01-05', '2027-01-05'],
      ['connect', '2027-01-06', '2027-01-06'],
    ]);
    expect(p).toMatchObject({ feasible: true, compressed: true, earliestFeasibleDate: '2027-01-06' });
    expect(plan(hvSingle, { progress, requestedConnectDate: '2027-01-05' }).feasible).toBe(false);
  });

  it('leaves undated a pending step the process has already moved past', () => {
    const p = plan(hvSingle, {
      progress: { ...acceptDone, plan_reply: { status: 'in_progress', start: '2026-11-24T09:00:00' } },
    });
    expect(step(p, 'survey')).toEqual({ code: 'survey', plannedStart: null, plannedEnd: null, dueAt: null });
    expect(step(p, 'plan_reply')).toMatchObject({ plannedStart: TODAY, plannedEnd: '2026-11-27' });
  });

  it('reports the actual connection once every step is done', () => {
    const progress: Progress = {
      accept: { status: 'done', start: '2026-11-16T09:00:00', end: '2026-11-16T10:00:00' },
      survey: { status: 'done', start: '2026-11-17T09:00:00', end: '2026-11-17T10:00:00' },
      connect: { status: 'done', start: '2026-11-18T09:00:00', end: '2026-11-19T15:00:00' },
    };
    expect(plan(lvResident, { progress })).toMatchObject({
      expectedConnectDate: '2026-11-19',
      feasible: true,
      earliestFeasibleDate: null,
      basis: 'typical',
      compressed: false,
    });
    const requested = plan(lvResident, { progress, requestedConnectDate: '2026-11-18' });
    expect(requested).toMatchObject({ expectedConnectDate: '2026-11-19', feasible: true, basis: 'requested_date' });
    expect(step(requested, 'connect').dueAt).toBe(endOfShanghaiDay('2026-11-20')); // limit 3 from Wed 11-18
  });
});

describe('learnt typical durations', () => {
  it('uses them in place of the catalog values, capped by each step’s limit', () => {
    // survey learnt 3 but limit 1 → 1; connect learnt 3 (limit 3) → 3: accept 11-24, survey 11-25, connect 11-26…11-30.
    const learnt: Record<string, number> = { survey: 3, connect: 3 };
    const p = plan(lvResident, { typicalWorkdays: (code) => learnt[code] });
    expect(dates(p)).toEqual([
      ['accept', '2026-11-24', '2026-11-24'],
      ['survey', '2026-11-25', '2026-11-25'],
      ['connect', '2026-11-26', '2026-11-30'],
    ]);
  });

  it('lets a customer step take longer than the catalog says', () => {
    // construction learnt 30 instead of 25, so everything after it moves 5 workdays: 01-15 → 01-22.
    const p = plan(hvSingle, { progress: acceptDone, typicalWorkdays: (code) => (code === 'construction' ? 30 : undefined) });
    expect(p.expectedConnectDate).toBe('2027-01-22');
  });

  it('falls back to the catalog for unusable values', () => {
    const p = plan(lvResident, { typicalWorkdays: () => Number.NaN });
    expect(p.expectedConnectDate).toBe(plan(lvResident).expectedConnectDate);
  });
});

describe('inputs', () => {
  it('treats a missing step record as pending and accepts records in any order', () => {
    const shuffled = records(lvResident, acceptDone).reverse();
    const p = planApplication({ process: lvResident, steps: shuffled, requestedConnectDate: null, today: TODAY, calendar, timeZone });
    expect(dates(p)).toEqual(dates(plan(lvResident, { progress: acceptDone })));
    const withoutConnect = records(lvResident, acceptDone).slice(0, 2);
    expect(planApplication({ process: lvResident, steps: withoutConnect, requestedConnectDate: null, today: TODAY, calendar, timeZone }).expectedConnectDate).toBe('2026-11-26');
  });

  it('rejects records of unknown or repeated steps', () => {
    const base = { process: lvResident, requestedConnectDate: null, today: TODAY, calendar, timeZone };
    expect(() => planApplication({ ...base, steps: [{ code: 'contract', status: 'pending', actualStart: null, actualEnd: null }] })).toThrow(/contract/);
    const repeated = [...records(lvResident), { code: 'accept', status: 'pending' as const, actualStart: null, actualEnd: null }];
    expect(() => planApplication({ ...base, steps: repeated })).toThrow(/accept/);
  });

  it('gives the same plan for the same input', () => {
    const input = { progress: acceptDone, requestedConnectDate: '2027-01-08' };
    expect(plan(hvSingle, input)).toEqual(plan(hvSingle, input));
  });
});

describe('requested dates at the edges of the working calendar', () => {
  const { from, to } = calendar.range;
  const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const todays = [from, addDays(from, 3), TODAY, addDays(to, -400)];

  it('plans a requested date before the calendar has any workday (its first day, 2020-01-01, is a holiday) as infeasible', () => {
    expect(calendar.isWorkday(from)).toBe(false);
    for (const today of todays) {
      const p = plan(hvSingle, { requestedConnectDate: from, today });
      expect(p).toMatchObject({ feasible: false, basis: 'typical' });
      expect(p.expectedConnectDate! >= today).toBe(true);
    }
  });

  it('places every requested date around the calendar start and end, and a random spread between: a plan or an infeasible one, never an error', () => {
    let seed = 12;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const requested = [
      ...Array.from({ length: 40 }, (_, i) => addDays(from, i)),
      ...Array.from({ length: 40 }, (_, i) => addDays(to, -i)),
      addDays(to, 1),
      addDays(to, 400),
      ...Array.from({ length: 60 }, () => addDays(from, Math.floor(random() * (Date.parse(to) - Date.parse(from)) / 86_400_000))),
    ];
    const started: Progress = { accept: { status: 'in_progress', start: '2026-11-23T09:00:00' } };
    for (const process of [lvResident, lvBusiness, hvSingle, hvDual]) {
      for (const today of todays) {
        for (const date of requested) {
          for (const progress of [{}, today === TODAY ? started : {}]) {
            const p = plan(process, { requestedConnectDate: date, today, progress });
            if (p.feasible) {
              // a feasible plan ends by the requested date (or by the calendar's end for a date past it)
              expect(p.expectedConnectDate! <= (date > to ? to : date)).toBe(true);
              expect(p.basis).toBe('requested_date');
            }
            for (const s of p.steps) for (const d of [s.plannedStart, s.plannedEnd]) if (d !== null) expect(d >= from && d <= to).toBe(true);
          }
        }
      }
    }
  });
});
