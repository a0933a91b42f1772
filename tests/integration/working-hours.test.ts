// Working time with a lunch break (WORKING_HOURS with two periods) and seasonal hours from the calendar file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { outboxOf } from '../support/notices.ts';
import { inDesignReview, syncStaff } from '../support/sla.ts';
import { customerA, hurry, listen, viewToken } from '../support/live.ts';
import { loadReferenceData } from '../../server/shared/reference-data.ts';
import { ConfigError } from '../../server/config.ts';

const at = (iso: string) => Date.parse(iso);
const NO = 'YX2026-0001';
const LUNCH = { WORKING_HOURS: '08:00-12:00,14:30-18:00' };

const warningTexts = async (t: TestApp) => (await outboxOf(t, NO)).filter((r) => r.noticeKind === 'sla_warning');

describe('working hours with a lunch break', () => {
  it('holds an SLA text raised at 12:10 until 14:30, not 12:01', async () => {
    const t = await buildTestApp({ env: LUNCH, now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await inDesignReview(t, NO, '2026-11-24T09:30:00+08:00');

    t.clock.set(at('2026-11-26T12:10:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1, notified: 0 });
    t.clock.set(at('2026-11-26T12:01:00+08:00') + 2 * 3_600_000); // 14:01, still lunch
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 0, notified: 0 });
    expect(await warningTexts(t)).toEqual([]);
    t.clock.set(at('2026-11-26T14:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 0, notified: 1 });
    expect((await warningTexts(t)).map((r) => [r.recipientRef, r.createdAt])).toEqual([['H001', at('2026-11-26T14:30:00+08:00')]]);
  });

  it('escalates an unanswered hurry after 4 working hours not counting lunch', async () => {
    const t = await buildTestApp({ env: LUNCH, now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await inDesignReview(t, NO, '2026-11-24T09:30:00+08:00');
    t.clock.set(at('2026-11-25T10:00:00+08:00'));
    const base = await listen(t);
    const pressed = await hurry(base, await viewToken(base, customerA.accountNo, customerA.queryCode), NO);
    expect(pressed.status).toBe(202);
    const [row] = await t.sql('SELECT escalate_at FROM hurries WHERE id = ?', pressed.body.hurry.id);
    // 10:00 + 2 h to noon + 2 h after 14:30 (PostgreSQL gives the epoch-ms bigint as text)
    expect(Number(row!.escalate_at)).toBe(at('2026-11-25T16:30:00+08:00'));
  });
});

describe('seasonal working hours', () => {
  const calendarFile = (json: unknown) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-calendar-'));
    const file = path.join(dir, 'calendar.json');
    fs.writeFileSync(file, JSON.stringify(json));
    return file;
  };

  it('switches hours on the season\'s start date: summer evenings are working time, winter evenings wait for the morning', async () => {
    const CALENDAR_PATH = calendarFile({
      workingHours: [
        { from: '05-01', hours: '08:00-12:00,14:30-18:00' },
        { from: '10-01', hours: '09:00-12:00,14:00-17:00' },
      ],
    });
    const t = await buildTestApp({ env: { CALENDAR_PATH }, now: at('2026-09-25T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await inDesignReview(t, NO, '2026-09-28T09:30:00+08:00', 'H001', '2026-09-25');
    // 17:30 on September 30 is working time in summer hours: the warning is texted as it is raised
    t.clock.set(at('2026-09-30T17:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1, notified: 1 });
    // after National Day, winter hours end at 17:00: the overdue alert raised at 17:30 waits for 09:00 on the
    // make-up workday of Saturday October 10
    t.clock.set(at('2026-10-09T17:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ overdue: 1, notified: 0 });
    t.clock.set(at('2026-10-10T08:59:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ notified: 0 });
    t.clock.set(at('2026-10-10T09:00:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ notified: 1 });
    expect((await outboxOf(t, NO)).filter((r) => r.noticeKind === 'sla_overdue').map((r) => r.createdAt)).toEqual([
      at('2026-10-10T09:00:00+08:00'),
      at('2026-10-10T09:00:00+08:00'),
    ]);
  });

  it('refuses a calendar file with overlapping periods, naming CALENDAR_PATH', () => {
    const calendarPath = calendarFile({ workingHours: [{ from: '05-01', hours: '08:00-12:30,12:00-18:00' }] });
    let error: unknown;
    try {
      loadReferenceData({ catalogPath: 'catalog/processes.json', calendarPath });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('CALENDAR_PATH');
    expect((error as Error).message).toMatch(/overlap/);
  });
});
