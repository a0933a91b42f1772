import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { textSink } from '../support/text-sink.ts';
import { runImport } from '../../server/cli/import.ts';
import { applicationBody, buildTestApp, handlerBody } from '../support/app.ts';

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function jsonlFile(lines: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-import-'));
  tempDirs.push(dir);
  const file = path.join(dir, 'export.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const json = (value: unknown) => JSON.stringify(value);
const event = (eventId: string, applicationNo: string, stepCode: string, type: string, at: string, extra: Record<string, unknown> = {}) =>
  json({ eventId, applicationNo, stepCode, type, at, handlerId: 'H001', ...extra });

describe('npm run jiedian -- import', () => {
  it('imports handlers, applications and events line by line, and reports each rejected line by number', async () => {
    const t = await buildTestApp();
    const file = jsonlFile([
      /* 1 */ json({ handlerId: 'H001', ...handlerBody() }),
      /* 2 */ '',
      /* 3 */ json({ applicationNo: 'YX2026-0001', ...applicationBody({ processCode: 'hv_single' }) }),
      /* 4 */ event('EV-1', 'YX2026-0001', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      /* 5 */ event('EV-2', 'YX2026-0001', 'accept', 'step_completed', '2026-11-20T11:00:00+08:00'),
      /* 6 */ event('EV-1', 'YX2026-0001', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      /* 7 */ event('EV-3', 'YX2026-0002', 'accept', 'step_started', '2026-11-21T09:30:00+08:00'),
      /* 8 */ '{"eventId": "EV-9", "applicationNo":',
      /* 9 */ event('EV-10', 'YX2026-0001', 'survey', 'step_started', 'yesterday'),
      /* 10 */ json({ kind: 'application', applicationNo: 'YX2026-0002', ...applicationBody({ accountNo: '5300999999', processCode: 'lv_resident', capacityKva: 8, requestedConnectDate: null }) }),
      /* 11 */ event('EV-4', 'YX2026-0001', 'survey', 'step_started', '2026-11-23T10:00:00+08:00'),
      /* 12 */ event('EV-5', 'YX2026-0002', 'design_review', 'step_started', '2026-11-23T10:00:00+08:00'),
      /* 13 */ json({ applicationNo: 'YX2026-0003', ...applicationBody({ customerName: undefined }) }),
      // An event-looking key does not decide when "kind" says otherwise.
      /* 14 */ json({ kind: 'handler', handlerId: 'H002', applicationNo: 'YX2026-0001', ...handlerBody({ name: '赵丽萍', phone: '13900002222' }) }),
      /* 15 */ '   ',
    ]);
    const summaryOut = textSink();

    const summary = await runImport({ file, ingest: t.app.applications.ingest, out: textSink().stream, summaryOut: summaryOut.stream, progress: false });

    expect({ accepted: summary.accepted, duplicates: summary.duplicates, parked: summary.parked }).toEqual({ accepted: 7, duplicates: 1, parked: 1 });
    expect(summary.rejected).toEqual([
      { line: 8, message: expect.stringMatching(/^malformed JSON: /) },
      { line: 9, message: 'event.at must be an ISO date-time with offset' },
      { line: 12, message: 'stepCode "design_review" is not a step of process lv_resident' },
      { line: 13, message: 'application.customerName is required' },
    ]);
    expect(summaryOut.text().split('\n')).toEqual([
      'accepted 7, duplicates 1, parked 1, rejected 4',
      expect.stringMatching(/^line 8: malformed JSON: /),
      'line 9: event.at must be an ISO date-time with offset',
      'line 12: stepCode "design_review" is not a step of process lv_resident',
      'line 13: application.customerName is required',
      '',
    ]);

    const first = (await t.app.applications.views.staffView('YX2026-0001'))!;
    expect(first.steps.map((s) => [s.code, s.status])).toEqual([
      ['accept', 'done'],
      ['survey', 'in_progress'],
      ['plan_reply', 'pending'],
      ['design_review', 'pending'],
      ['construction', 'pending'],
      ['mid_inspection', 'pending'],
      ['completion_inspection', 'pending'],
      ['contract', 'pending'],
      ['connect', 'pending'],
    ]);
    expect(first.currentStep?.handler).toEqual({ name: '李明', phone: '13912345678' });

    // Parked when its batch went in before the application's line, applied when the application arrived.
    const second = (await t.app.applications.views.staffView('YX2026-0002'))!;
    expect(second.steps.map((s) => [s.code, s.status])).toEqual([
      ['accept', 'in_progress'],
      ['survey', 'pending'],
      ['connect', 'pending'],
    ]);
    expect((await t.app.applications.views.staffView('YX2026-0003'))).toBeUndefined();
    expect((await t.app.stores.applications.handler('H002'))?.name).toBe('赵丽萍');
  });

  it('counts an application imported again unchanged as a duplicate and never applies an event twice', async () => {
    const t = await buildTestApp();
    const file = jsonlFile([
      json({ handlerId: 'H001', ...handlerBody() }),
      json({ applicationNo: 'YX2026-0001', ...applicationBody() }),
      event('EV-1', 'YX2026-0001', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
    ]);
    const options = { file, ingest: t.app.applications.ingest, out: textSink().stream, summaryOut: textSink().stream, progress: false };
    await runImport(options);
    const again = await runImport(options);
    expect({ accepted: again.accepted, duplicates: again.duplicates, parked: again.parked, rejected: again.rejected }).toEqual({
      accepted: 1, // the handler: an upsert, always applied
      duplicates: 2,
      parked: 0,
      rejected: [],
    });
  });

  it('sends events in batches of 1000 and maps rejections in later batches to their lines', async () => {
    const t = await buildTestApp();
    const lines = [json({ handlerId: 'H001', ...handlerBody() }), json({ applicationNo: 'YX2026-0001', ...applicationBody() })];
    for (let i = 0; i < 2100; i++) {
      const type = i % 2 === 0 ? 'step_started' : 'step_completed';
      const at = new Date(Date.parse('2026-11-20T09:00:00+08:00') + i * 60_000).toISOString();
      lines.push(event(`EV-${i}`, 'YX2026-0001', i === 1500 ? 'no_such_step' : 'survey', type, at));
    }
    const calls: number[] = [];
    const ingest = t.app.applications.ingest;
    const counted = { ...ingest, ingestEvents: (events: unknown[]) => (calls.push(events.length), ingest.ingestEvents(events)) };

    const summary = await runImport({ file: jsonlFile(lines), ingest: counted, out: textSink().stream, summaryOut: textSink().stream, progress: true });

    expect(calls).toEqual([1000, 1000, 100]);
    expect(summary.accepted).toBe(2 + 2099);
    expect(summary.rejected).toEqual([{ line: 1503, message: 'stepCode "no_such_step" is not a step of process hv_single' }]);
  });

  it('lists at most 100 rejected lines and says how many more there were', async () => {
    const t = await buildTestApp();
    const summaryOut = textSink();
    const summary = await runImport({
      file: jsonlFile(Array.from({ length: 105 }, () => 'not json')),
      ingest: t.app.applications.ingest,
      out: textSink().stream,
      summaryOut: summaryOut.stream,
      progress: false,
    });
    expect(summary.rejected).toHaveLength(105);
    const printed = summaryOut.text().trimEnd().split('\n');
    expect(printed[0]).toBe('accepted 0, duplicates 0, parked 0, rejected 105');
    expect(printed).toHaveLength(1 + 100 + 1);
    expect(printed[100]).toMatch(/^line 100: malformed JSON/);
    expect(printed[101]).toBe('… and 5 more');
  });

  it('rejects a line that is not an object or cannot be told apart', async () => {
    const t = await buildTestApp();
    const summary = await runImport({
      file: jsonlFile(['[1, 2]', json({ name: '李明' }), json({ kind: 'customer', name: '李明' })]),
      ingest: t.app.applications.ingest,
      out: textSink().stream,
      summaryOut: textSink().stream,
      progress: false,
    });
    expect(summary.rejected).toEqual([
      { line: 1, message: 'must be a JSON object' },
      { line: 2, message: expect.stringContaining('no handlerId, applicationNo or eventId') },
      { line: 3, message: '"kind" must be one of handler, application, event' },
    ]);
  });
});
