import { describe, expect, it } from 'vitest';
import { buildWorkingCalendar } from '../../server/domain/calendar.ts';
import {
  LEARNT_TYPICAL_MIN_SAMPLES,
  LEARNT_TYPICAL_WINDOW,
  learntTypicalWorkdays,
  stepDurationWorkdays,
  workdaysTaken,
} from '../../server/domain/typical-durations.ts';
import { DEFAULT_WORKING_HOURS } from '../../server/domain/working-time.ts';

const calendar = buildWorkingCalendar({ fromYear: 2026, toYear: 2027 });
const planReply = { typicalWorkdays: 4, limitWorkdays: 6 };
const construction = { typicalWorkdays: 25, limitWorkdays: null };

describe('how long a completed step took', () => {
  it('counts the start and end day', () => {
    expect(stepDurationWorkdays(calendar, '2026-11-24', '2026-11-24')).toBe(1);
    expect(stepDurationWorkdays(calendar, '2026-11-23', '2026-11-27')).toBe(5);
  });

  it('counts a step started after working hours or on a day off from its first workday', () => {
    const took = (start: string, end: string) => workdaysTaken(Date.parse(`${start}+08:00`), Date.parse(`${end}+08:00`), calendar, DEFAULT_WORKING_HOURS, 'Asia/Shanghai');
    expect(took('2026-11-23T17:00:00', '2026-11-24T10:00:00')).toBe(2);
    expect(took('2026-11-23T19:00:00', '2026-11-24T10:00:00')).toBe(1);
    // Friday evening to Monday afternoon: Monday only; done the same evening: still 1
    expect(took('2026-11-27T18:00:00', '2026-11-30T15:00:00')).toBe(1);
    expect(took('2026-11-27T18:00:00', '2026-11-27T18:30:00')).toBe(1);
    // started on Sunday, done Tuesday: Monday and Tuesday
    expect(took('2026-11-29T10:00:00', '2026-12-01T10:00:00')).toBe(2);
  });

  it('skips holidays and counts make-up workdays', () => {
    // 09-30, then 10-08 after the National Day week.
    expect(stepDurationWorkdays(calendar, '2026-09-30', '2026-10-08')).toBe(2);
    // 02-13 Fri, 02-14 make-up Sat, 02-24 Tue.
    expect(stepDurationWorkdays(calendar, '2026-02-13', '2026-02-24')).toBe(3);
  });

  it('rolls weekend ends onto workdays and never says less than one', () => {
    // Started Saturday, finished Monday: only the Monday counts.
    expect(stepDurationWorkdays(calendar, '2026-11-28', '2026-11-30')).toBe(1);
    // Started Friday, finished Sunday: only the Friday counts.
    expect(stepDurationWorkdays(calendar, '2026-11-27', '2026-11-29')).toBe(1);
    // Done within one weekend.
    expect(stepDurationWorkdays(calendar, '2026-11-28', '2026-11-29')).toBe(1);
  });
});

describe('typical durations learnt from completions', () => {
  it('looks at the last 50 and needs at least 5', () => {
    expect(LEARNT_TYPICAL_WINDOW).toBe(50);
    expect(LEARNT_TYPICAL_MIN_SAMPLES).toBe(5);
  });

  it('keeps the catalog value until five completions are known', () => {
    expect(learntTypicalWorkdays([], planReply)).toBe(4);
    expect(learntTypicalWorkdays([2, 2, 2, 2], planReply)).toBe(4);
    expect(learntTypicalWorkdays([2, 2, 2, 2, 2], planReply)).toBe(2);
  });

  it('takes the median, not the mean', () => {
    expect(learntTypicalWorkdays([1, 1, 2, 6, 6], planReply)).toBe(2);
    expect(learntTypicalWorkdays([5, 1, 3, 2, 4], planReply)).toBe(3);
  });

  it('rounds a half-day median up to a whole workday', () => {
    // Sorted 1 2 2 3 3 4: the middle pair 2 and 3 gives 2.5.
    expect(learntTypicalWorkdays([4, 3, 2, 1, 3, 2], planReply)).toBe(3);
  });

  it('forgets completions older than the last 50', () => {
    // All 110 would give a median of 6.
    expect(learntTypicalWorkdays([...Array<number>(60).fill(6), ...Array<number>(50).fill(2)], planReply)).toBe(2);
    const mixed = [...Array<number>(30).fill(6), ...Array<number>(25).fill(1), ...Array<number>(25).fill(6)];
    // The last 50 are the 25 ones and the last 25 sixes: (1 + 6) / 2 = 3.5 → 4 (all 80 would give 6).
    expect(learntTypicalWorkdays(mixed, planReply)).toBe(4);
  });

  it('never exceeds the step limit', () => {
    expect(learntTypicalWorkdays([9, 9, 9, 9, 9], planReply)).toBe(6);
  });

  it('is not capped for customer steps, which have no limit', () => {
    expect(learntTypicalWorkdays([40, 41, 42, 43, 44], construction)).toBe(42);
    expect(learntTypicalWorkdays([], construction)).toBe(25);
  });

  it('ignores unusable entries', () => {
    expect(learntTypicalWorkdays([2, Number.NaN, 2, 0, 2, -1, 2, 2], planReply)).toBe(2);
    expect(learntTypicalWorkdays([2, Number.NaN, 2, 0, 2], planReply)).toBe(4);
  });
});
