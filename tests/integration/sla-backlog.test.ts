// A backlog of owed alerts (a server down for hours, many alert times on one instant) is handled in many small
// chunk transactions, yielding between them, and still completely and exactly once. The chunking is driven through
// the sweep's options (a row cap, and a time budget of 0: one row per chunk), never by timing assertions.
import { describe, expect, it } from 'vitest';
import type { SlaChunkOptions, SlaSweepChunk } from '../../server/time-limits/sla.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { completed, postEvents, putApplication, putHandler, started } from '../support/notices.ts';
import { staffOf } from '../support/live.ts';

const at = (iso: string) => Date.parse(iso);
const N = 12;
const applications = Array.from({ length: N }, (_, i) => ({ no: `YX2026-${String(i + 1).padStart(4, '0')}`, handler: i % 2 === 0 ? 'H001' : 'H101' }));
const leadOf: Record<string, string> = { H001: 'L001', H101: 'L101' };

/** N hv_single applications (far requested date) in design review since 2026-11-24 09:30: due 11-26 23:59, warned 11-26 08:30. */
async function backlog(sla: SlaChunkOptions) {
  const chunks: SlaSweepChunk[] = [];
  const t = await buildTestApp({
    now: at('2026-11-24T09:00:00+08:00'),
    deps: { startSweeper: false, startDispatcher: false, sla: { ...sla, onChunk: (chunk) => chunks.push(chunk) } },
  });
  for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
  for (const { no, handler } of applications) {
    await putApplication(t, no, { requestedConnectDate: '2027-06-30', acceptedAt: '2026-11-20T09:00:00+08:00' });
    await postEvents(t, [
      started(no, 'accept', '2026-11-20T09:00:00+08:00', handler),
      completed(no, 'accept', '2026-11-20T10:00:00+08:00', handler),
      started(no, 'survey', '2026-11-20T10:30:00+08:00', handler),
      completed(no, 'survey', '2026-11-20T12:00:00+08:00', handler),
      started(no, 'plan_reply', '2026-11-20T14:00:00+08:00', handler),
      completed(no, 'plan_reply', '2026-11-20T16:00:00+08:00', handler),
      started(no, 'design_review', '2026-11-24T09:30:00+08:00', handler),
    ]);
  }
  return { t, chunks };
}

// PostgreSQL gives the epoch-ms bigints as text
const alertsOf = async (t: TestApp) =>
  (await t.sql('SELECT application_no, level, raised_at, notified_at FROM alerts ORDER BY application_no, level')).map((a) => ({
    application_no: a.application_no as string,
    level: a.level as string,
    raised_at: Number(a.raised_at),
    notified_at: a.notified_at === null ? null : Number(a.notified_at),
  }));
const textsOf = async (t: TestApp) =>
  ((await t.sql("SELECT application_no, recipient_ref, notice_kind FROM outbox WHERE notice_kind LIKE 'sla_%' ORDER BY application_no, recipient_ref")) as {
    application_no: string;
    recipient_ref: string;
    notice_kind: string;
  }[]).map((r) => `${r.application_no} ${r.notice_kind} → ${r.recipient_ref}`);
const sumRows = (chunks: SlaSweepChunk[]) => chunks.reduce((sum, c) => sum + c.rows, 0);

describe('a backlog of owed alerts', () => {
  it('is raised and texted completely in chunks of at most chunkSize rows, one transaction each', async () => {
    // a time budget no chunk reaches, so only the row cap ends one (a loaded machine would otherwise cut chunks early)
    const { t, chunks } = await backlog({ chunkSize: 5, chunkMs: 60_000 });
    const warnedAt = at('2026-11-26T08:30:00+08:00');
    t.clock.set(warnedAt);
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: N, overdue: 0, applicationOverdue: 0, notified: N });
    // 5 + 5 + 2 rows, then nothing left to read
    expect(chunks.map((c) => c.rows)).toEqual([5, 5, 2]);
    expect(await alertsOf(t)).toEqual(applications.map(({ no }) => ({ application_no: no, level: 'warning', raised_at: warnedAt, notified_at: warnedAt })));
    expect(await textsOf(t)).toEqual(applications.map(({ no, handler }) => `${no} sla_warning → ${handler}`));
    // a quiet interval is one transaction
    chunks.length = 0;
    t.clock.set(warnedAt + 60_000);
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 });
    expect(chunks).toHaveLength(1);
  });

  it('with a time budget of 0 (one row per chunk) two overlapping sweeps raise each alert once and release its held texts once', async () => {
    const { t, chunks } = await backlog({ chunkMs: 0 });
    const sla = t.app.timeLimits.sla;
    // overdue at night: raised and pushed at once, the texts held for the working morning
    const raisedAt = at('2026-11-27T00:00:30+08:00');
    t.clock.set(raisedAt);
    const night = await Promise.all([sla.sweep(), sla.sweep()]);
    expect(night[0].overdue + night[1].overdue).toBe(N);
    expect(night[0].notified + night[1].notified).toBe(0);
    // both sweeps made progress, one row per chunk, each row handled by one of them
    expect(night[0].overdue).toBeGreaterThan(0);
    expect(night[1].overdue).toBeGreaterThan(0);
    expect(Math.max(...chunks.map((c) => c.rows))).toBe(1);
    expect(sumRows(chunks)).toBe(N);
    expect(await textsOf(t)).toEqual([]);

    chunks.length = 0;
    const morning = at('2026-11-27T08:30:00+08:00');
    t.clock.set(morning);
    const released = await Promise.all([sla.sweep(), sla.sweep()]);
    expect(released.map((r) => r.overdue)).toEqual([0, 0]);
    expect(released[0].notified + released[1].notified).toBe(N);
    expect(Math.max(...chunks.map((c) => c.rows))).toBe(1);
    expect(sumRows(chunks)).toBe(N);
    expect(await alertsOf(t)).toEqual(applications.map(({ no }) => ({ application_no: no, level: 'overdue', raised_at: raisedAt, notified_at: morning })));
    // the handler and the team lead, once each
    expect(await textsOf(t)).toEqual(applications.flatMap(({ no, handler }) => [`${no} sla_overdue → ${handler}`, `${no} sla_overdue → ${leadOf[handler]}`]).sort());
    expect(await sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 });
  });
});
