// `npm start` as a real process: configuration errors, start-up without credentials, what the log never shows,
// and SIGTERM while a sync batch is in flight.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { applicationBody, handlerBody, SECRET, sharedTestDatabase, SYNC_TOKEN } from '../support/app.ts';
import { send, serverEnvOn, start } from '../support/server-process.ts';

describe('the server process', () => {
  it('stops at start with one line naming the variable when a value is wrong', async () => {
    const server = start(serverEnvOn(await sharedTestDatabase(), { PORT: 'abc' }));
    expect(await server.exited).toBe(2);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^jiedian: configuration error: PORT /);
  });

  it('starts without any channel credentials, says SMS, WeChat, WeCom and e-mail go to the log, and never logs a phone number, query code or token', async () => {
    const database = await sharedTestDatabase();
    const server = start(serverEnvOn(database));
    const origin = await server.origin;
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect(server.stdout()).toMatch(/sms[^\n]*log/i);
    expect(server.stdout()).toMatch(/wechat[^\n]*log/i);
    expect(server.stdout()).toMatch(/wecom[^\n]*log/i);
    expect(server.stdout()).toMatch(/e-mail[^\n]*log/i);
    expect(server.stdout()).toMatch(/WeChat Official Account channel: log/);
    // a warning, not only info: it must show at LOG_LEVEL=warn (the demo) too
    const fallback = server
      .stdout()
      .split('\n')
      .filter((line) => line.includes('no credentials for sms, wechat, wechat_oa, wecom and email: those messages go to the log only'));
    expect(fallback.map((line) => JSON.parse(line).level)).toEqual([40]);

    expect((await send(origin, 'PUT', '/api/v1/sync/handlers/H001', handlerBody())).status).toBe(200);
    expect((await send(origin, 'PUT', '/api/v1/sync/applications/YX2026-0001', applicationBody())).status).toBe(201);
    // a wrong query code for the account, and a customer read with a view token: both get logged as requests
    const query = await fetch(`${origin}/api/v1/progress/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountNo: '5300123456', queryCode: '482913' }),
    });
    const { viewToken } = (await query.json()) as { viewToken: string };
    await fetch(`${origin}/api/v1/progress/YX2026-0001`, { headers: { authorization: `Bearer ${viewToken}` } });
    // the plan_created SMS goes out through the log channel
    await expect.poll(() => server.stdout(), { timeout: 10_000 }).toMatch(/138\*{4}1111/);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const log = server.stdout() + server.stderr();
    const secrets = ['13800001111', '482913', SYNC_TOKEN, SECRET, viewToken];
    const password = database.env.DATABASE_URL && new URL(database.env.DATABASE_URL).password;
    if (password) secrets.push(password);
    for (const secret of secrets) expect(log).not.toContain(secret);
  });

  it('answers a sync batch that is still arriving when SIGTERM comes, keeps it, and then exits', async () => {
    const database = await sharedTestDatabase();
    const server = start(serverEnvOn(database));
    const origin = await server.origin;
    await send(origin, 'PUT', '/api/v1/sync/handlers/H001', handlerBody());
    await send(origin, 'PUT', '/api/v1/sync/applications/YX2026-0001', applicationBody());

    const events = ['accept', 'survey', 'plan_reply'].flatMap((stepCode, i) => [
      { eventId: `EV-${i}-s`, applicationNo: 'YX2026-0001', stepCode, type: 'step_started', at: `2026-11-2${i}T09:00:00+08:00`, handlerId: 'H001' },
      { eventId: `EV-${i}-c`, applicationNo: 'YX2026-0001', stepCode, type: 'step_completed', at: `2026-11-2${i}T16:00:00+08:00` },
    ]);
    const body = Buffer.from(JSON.stringify({ events }));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(`${origin}/api/v1/sync/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SYNC_TOKEN}`, 'content-type': 'application/json', 'content-length': body.length },
      });
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => (text += String(chunk)));
        response.on('end', () => resolve({ status: response.statusCode!, text }));
      });
      request.on('error', reject);
      request.write(body.subarray(0, 100));
      // the rest arrives only after the server has been told to stop
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => request.end(body.subarray(100)), 300);
      }, 300);
    });

    const reply = await answer;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ accepted: 6, duplicates: 0, parked: 0, rejected: [] });
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('shutting down');

    // what the process committed, read by an app opened on its database afterwards
    const t = await database.build();
    expect(Number((await t.sql('select count(*) as n from sync_events'))[0]!.n)).toBe(6);
    const steps = await t.sql("select step_code, status from application_steps where application_no = 'YX2026-0001' and status = 'done'");
    expect(steps).toHaveLength(3);
  });
});
