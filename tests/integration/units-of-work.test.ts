// Write transactions as units of work: queued per database, a body that awaits its stores runs between
// BEGIN IMMEDIATE and COMMIT alone, and two requests started in the same tick commit one after the other.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database_ } from '../../db/client.ts';
import { UnitOfWorkAwaitError } from '../../db/unit-of-work.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { APPLICATION_NO, chatApp } from '../support/chat.ts';
import { completed, fakeTwilioForTest, started } from '../support/notices.ts';
import { inDesignReview, syncStaff } from '../support/sla.ts';

const opened: Database_[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function database() {
  const d = openDatabase(':memory:');
  opened.push(d);
  return d;
}

const teams = (d: Database_) => d.sqlite.prepare('select id from teams order by rowid').pluck().all();
/** a store call as an async port returns it: the write done, its promise already settled */
const addTeam = (d: Database_, id: string) => Promise.resolve(d.sqlite.prepare('insert into teams (id, name, updated_at) values (?, ?, 0)').run(id, `班组${id}`));

describe('a unit of work', () => {
  it('two bodies that await their stores, started in the same tick, run one after the other and both commit', async () => {
    const d = database();
    const seen: string[] = [];
    const body = (name: string) => async () => {
      for (const n of [1, 2, 3]) {
        await addTeam(d, `${name}${n}`);
        seen.push(`${name}${n}`);
      }
      return name;
    };
    const results = await Promise.all([d.write(body('A')), d.write(body('B'))]);
    expect(results).toEqual(['A', 'B']);
    expect(seen).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'B3']);
    expect(teams(d)).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'B3']);
    expect(d.sqlite.inTransaction).toBe(false);
  });

  it('a body that throws after awaiting its stores rolls back everything it wrote; the next unit of work still runs', async () => {
    const d = database();
    const failing = d.write(async () => {
      await addTeam(d, 'T1');
      await addTeam(d, 'T2');
      throw new Error('refused half-way');
    });
    const next = d.write(async () => addTeam(d, 'T3'));
    await expect(failing).rejects.toThrow('refused half-way');
    await next;
    expect(teams(d)).toEqual(['T3']);
  });

  it('a body that awaits something other than its stores (a timer) is rolled back and refused', async () => {
    const d = database();
    const waiting = d.write(async () => {
      await addTeam(d, 'T1');
      await new Promise((resolve) => setTimeout(resolve, 1));
      await addTeam(d, 'T2');
    });
    await expect(waiting).rejects.toBeInstanceOf(UnitOfWorkAwaitError);
    expect(teams(d)).toEqual([]);
    expect(d.sqlite.inTransaction).toBe(false);
  });

  it('a synchronous transaction started while a unit of work is open is refused instead of joining it', async () => {
    const d = database();
    let refused: unknown = null;
    await d.write(async () => {
      await addTeam(d, 'T1');
      // what another request's code would do between two of this body's awaits
      try {
        d.transaction(() => d.sqlite.prepare("insert into teams (id, name, updated_at) values ('X', 'x', 0)").run());
      } catch (error) {
        refused = error;
      }
    });
    expect(String(refused)).toContain('unit of work was open');
    expect(teams(d)).toEqual(['T1']);
  });
});

/** design review starts: a step notice for the customer's phone */
const designReview = () => [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T15:00:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T15:30:00+08:00')];
const designReviewTexts = (t: TestApp) => t.outbox.ofApplication(APPLICATION_NO).filter((r) => r.channel === 'sms' && r.text.includes('已进入“设计文件审核”'));

/** What the two writes leave behind, without ids and times that differ between two databases. */
function outcome(t: TestApp) {
  const rows = (sql: string) => t.database.sqlite.prepare(sql).all();
  return {
    steps: rows('select application_no, step_code, status, actual_start, actual_end, planned_start, planned_end, due_at from application_steps order by application_no, step_code'),
    applications: rows('select application_no, expected_connect_date, plan_feasible, planned_on from applications'),
    events: rows('select application_no, step_code, type, at, state from sync_events order by at, step_code, type'),
    mutes: rows('select application_no, channel, address, source, muted_at, unmuted_at from application_mutes order by rowid'),
    outbox: rows('select application_no, channel, address, notice_kind, status, text from outbox order by application_no, channel, address, notice_kind, text'),
  };
}

const app = async () => chatApp(await fakeTwilioForTest(), { now: Date.parse('2026-11-24T15:40:00+08:00'), deps: { startDispatcher: false } });

describe('two requests that each write, started in the same tick', () => {
  it('a sync batch and the kiosk\'s mute switch on the same application both commit in the order they came, as if one after the other', async () => {
    const together = await app();
    const [batch, muted] = await Promise.all([together.app.applications.ingest.ingestEvents(designReview()), together.app.notices.mutes.set(APPLICATION_NO, true, 'kiosk')]);
    expect(batch.accepted).toBe(2);
    expect(muted.muted).toBe(true);
    // the batch came first: its notice was written before the mute (which then holds it back at dispatch)
    expect(designReviewTexts(together)).toHaveLength(1);

    const serial = await app();
    await serial.app.applications.ingest.ingestEvents(designReview());
    await serial.app.notices.mutes.set(APPLICATION_NO, true, 'kiosk');
    expect(outcome(together)).toEqual(outcome(serial));
  });

  it('the mute switch first and then the batch: the batch sees the mute and writes no step notice, as if one after the other', async () => {
    const together = await app();
    const [muted, batch] = await Promise.all([together.app.notices.mutes.set(APPLICATION_NO, true, 'kiosk'), together.app.applications.ingest.ingestEvents(designReview())]);
    expect(batch.accepted).toBe(2);
    expect(muted.muted).toBe(true);
    expect(designReviewTexts(together)).toHaveLength(0);

    const serial = await app();
    await serial.app.notices.mutes.set(APPLICATION_NO, true, 'kiosk');
    await serial.app.applications.ingest.ingestEvents(designReview());
    expect(outcome(together)).toEqual(outcome(serial));
  });

  it('over HTTP, a sync batch and a mute sent at once both answer 200 and leave what one after the other would', async () => {
    const together = await app();
    const query = await together.app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: '5300123456', queryCode: '482913' } });
    const headers = { authorization: `Bearer ${query.json().viewToken}` };
    const [batch, mute] = await Promise.all([
      together.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: together.sync, payload: { events: designReview() } }),
      together.app.inject({ method: 'PUT', url: `/api/v1/applications/${APPLICATION_NO}/notifications`, headers, payload: { muted: true } }),
    ]);
    expect(batch.statusCode).toBe(200);
    expect(mute.statusCode).toBe(200);
    const batchFirst = designReviewTexts(together).length === 1;

    const serial = await app();
    if (batchFirst) {
      await serial.app.applications.ingest.ingestEvents(designReview());
      await serial.app.notices.mutes.set(APPLICATION_NO, true, 'kiosk');
    } else {
      await serial.app.notices.mutes.set(APPLICATION_NO, true, 'kiosk');
      await serial.app.applications.ingest.ingestEvents(designReview());
    }
    expect(outcome(together)).toEqual(outcome(serial));
  });
});

/** design review since Tue 09:30, its warning due Thu 08:30; the clock at Thu 08:30 */
async function reviewDueForWarning(): Promise<TestApp> {
  const t = await buildTestApp({ now: Date.parse('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
  await syncStaff(t);
  await inDesignReview(t, 'YX2026-0001', '2026-11-24T09:30:00+08:00');
  t.clock.set(Date.parse('2026-11-26T08:30:00+08:00'));
  return t;
}
const reviewDone = () => [completed('YX2026-0001', 'design_review', '2026-11-26T08:00:00+08:00')];
const sweepOutcome = (t: TestApp) => ({
  ...outcome(t),
  alerts: t.database.sqlite.prepare('select application_no, step_code, level, raised_at, notified_at from alerts order by rowid').all(),
});

describe('an SLA sweep (a unit of work awaiting its alert store) and a sync batch started in the same tick', () => {
  it('the sweep first: it warns of the step still under way, then the batch completes it, as one after the other', async () => {
    const together = await reviewDueForWarning();
    const [swept, batch] = await Promise.all([together.app.timeLimits.sla.sweep(), together.app.applications.ingest.ingestEvents(reviewDone())]);
    expect(swept).toMatchObject({ warnings: 1 });
    expect(batch.accepted).toBe(1);

    const serial = await reviewDueForWarning();
    await serial.app.timeLimits.sla.sweep();
    await serial.app.applications.ingest.ingestEvents(reviewDone());
    expect(sweepOutcome(together)).toEqual(sweepOutcome(serial));
  });

  it('the batch first: the step is done before the sweep looks, so nobody is warned, as one after the other', async () => {
    const together = await reviewDueForWarning();
    const [batch, swept] = await Promise.all([together.app.applications.ingest.ingestEvents(reviewDone()), together.app.timeLimits.sla.sweep()]);
    expect(batch.accepted).toBe(1);
    expect(swept).toMatchObject({ warnings: 0, overdue: 0 });

    const serial = await reviewDueForWarning();
    await serial.app.applications.ingest.ingestEvents(reviewDone());
    await serial.app.timeLimits.sla.sweep();
    expect(sweepOutcome(together)).toEqual(sweepOutcome(serial));
  });
});
