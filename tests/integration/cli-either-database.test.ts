// The operator's commands that work on the server's data run on whichever database the server does: DATABASE_PATH
// (SQLite), or DATABASE_URL (PostgreSQL). Each test runs the command against the database of a running app and reads
// the outcome through that app.
import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { main } from '../../server/cli/index.ts';
import { textSink } from '../support/text-sink.ts';
import { postEvents, started } from '../support/notices.ts';
import { applicationBody, handlerBody, SECRET, sharedTestDatabase } from '../support/app.ts';

async function run(argv: string[], env: Record<string, string>) {
  const stdout = textSink();
  const stderr = textSink();
  const code = await main(argv, { stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('npm run jiedian -- staff:admin on either database', () => {
  it("grants a synced team lead the admin role and takes it back; a handler nobody synced is refused", async () => {
    const database = await sharedTestDatabase();
    const t = await database.build();
    await request(t.app.server).put('/api/v1/sync/handlers/H009').set(t.sync).send(handlerBody({ role: 'team_lead' })).expect(200);

    expect(await run(['staff:admin', 'H009'], database.env)).toEqual({ code: 0, stdout: 'H009 is now admin\n', stderr: '' });
    expect(await t.app.stores.staff.member('H009')).toMatchObject({ role: 'admin' });

    expect(await run(['staff:admin', 'H009', '--revoke'], database.env)).toEqual({ code: 0, stdout: 'H009 is now team_lead\n', stderr: '' });
    expect(await t.app.stores.staff.member('H009')).toMatchObject({ role: 'team_lead' });

    expect(await run(['staff:admin', 'H404'], database.env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'jiedian: no handler H404; sync it first (PUT /api/v1/sync/handlers/H404)\n',
    });
  });
});

describe('npm run jiedian -- sla:sweep on either database', () => {
  it('raises the alerts that are due now, once: a second sweep raises none', async () => {
    const database = await sharedTestDatabase();
    const t = await database.build();
    await request(t.app.server).put('/api/v1/sync/handlers/H001').set(t.sync).send(handlerBody()).expect(200);
    // accepted weeks before the real time the command runs at: its first steps are long overdue by then
    await request(t.app.server)
      .put('/api/v1/sync/applications/YX2026-0001')
      .set(t.sync)
      .send(applicationBody({ acceptedAt: '2026-11-02T09:00:00+08:00', requestedConnectDate: undefined }))
      .expect(201);
    await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-02T09:00:00+08:00')]);

    const first = await run(['sla:sweep'], database.env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const raised = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(first.stdout)?.[1]);
    // the accept step is overdue, and so is the application's own time limit
    expect([raised('overdue raised'), raised('application limits overdue')]).toEqual([1, 1]);
    const rows = await t.sql("SELECT step_code AS step FROM alerts WHERE application_no = ? AND level = 'overdue' ORDER BY step_code", 'YX2026-0001');
    expect(rows.map((r) => r.step)).toEqual(['', 'accept']);

    const second = await run(['sla:sweep'], database.env);
    expect(second.stdout).toContain('warnings raised: 0\noverdue raised: 0\napplication limits overdue: 0\n');
    expect(await t.sql('SELECT id FROM alerts')).toHaveLength(2);
  });
});

describe('npm run jiedian -- import on either database', () => {
  it("imports handlers and applications into the server's database", async () => {
    const database = await sharedTestDatabase();
    const t = await database.build();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-import-'));
    const file = path.join(dir, 'export.jsonl');
    fs.writeFileSync(file, [JSON.stringify({ handlerId: 'H001', ...handlerBody() }), JSON.stringify({ applicationNo: 'YX2026-0042', ...applicationBody() })].join('\n') + '\n');
    try {
      const result = await run(['import', file], { JIEDIAN_SECRET: SECRET, ...database.env });
      expect(result).toEqual({ code: 0, stdout: 'accepted 2, duplicates 0, parked 0, rejected 0\n', stderr: '' });
      expect(await t.app.stores.applications.application('YX2026-0042')).toMatchObject({ applicationNo: 'YX2026-0042' });
      expect(await t.app.stores.applications.handler('H001')).toMatchObject({ name: handlerBody().name });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
