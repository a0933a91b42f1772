// Operations (API.md §6) and the contract's behaviour for routes that do not exist.
import pg from 'pg';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp, testDatabaseKind, type TestApp } from '../support/app.ts';

/**
 * Takes the app's database away: the SQLite connection closed; the PostgreSQL database refusing new connections, every
 * open one ended (the app's pool and its listener included), from the server's maintenance database.
 */
async function databaseGone(t: TestApp): Promise<void> {
  if (testDatabaseKind === 'sqlite') return t.database.close();
  const url = new URL(t.config.postgres!.url);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  } finally {
    await admin.end();
  }
}

describe('operations', () => {
  it('/healthz answers 200 when the database is reachable', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    // on PostgreSQL the instance takes its leases a moment after start
    await expect
      .poll(async () => (await supertest(t.app.server).get('/healthz')).body, { timeout: 10_000 })
      .toEqual({ status: 'ok', database: 'ok', databaseKind: testDatabaseKind, leases: { sweeper: true, wechatBot: true } });
    const res = await supertest(t.app.server).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok', databaseKind: testDatabaseKind, leases: { sweeper: true, wechatBot: true } });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('/healthz answers 503 in the contract shape when the database is gone', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    await databaseGone(t);
    const res = await supertest(t.app.server).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ statusCode: 503, code: expect.stringMatching(/^JD_/), error: 'Service Unavailable', message: expect.any(String) });
  });

  it('/docs/json is an OpenAPI document listing the sync and progress paths', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    const res = await supertest(t.app.server).get('/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.info.title).toContain('Jiedian');
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    expect(paths['/api/v1/sync/handlers/{handlerId}']).toHaveProperty('put');
    expect(paths['/api/v1/sync/applications/{applicationNo}']).toHaveProperty('put');
    expect(paths['/api/v1/sync/events']).toHaveProperty('post');
    expect(paths['/api/v1/progress/query']).toHaveProperty('post');
    expect(paths['/api/v1/progress/{applicationNo}']).toHaveProperty('get');
    expect(paths['/healthz']).toHaveProperty('get');
    expect(Object.keys(res.body.components.securitySchemes)).toEqual(expect.arrayContaining(['syncToken', 'viewToken']));
    // the request schemas are documented (the contract is generated from them)
    const applicationPut = paths['/api/v1/sync/applications/{applicationNo}']!.put as { requestBody?: unknown };
    expect(JSON.stringify(applicationPut.requestBody)).toContain('queryCode');
  });

  it('/docs serves the documentation page', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    const res = await supertest(t.app.server).get('/docs').redirects(2);
    expect(res.status).toBe(200);
    expect(res.text.toLowerCase()).toContain('swagger');
  });

  it('an unknown route is 404 JD_NOT_FOUND in the contract shape, with a request id', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    for (const [method, path] of [
      ['get', '/nowhere'],
      ['get', '/api/v1/sync/events'],
      ['delete', '/api/v1/progress/YX2026-0001'],
      ['post', '/api/v2/progress/query'],
    ] as const) {
      const res = await supertest(t.app.server)[method](path).set('x-request-id', 'ops-404');
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, code: 'JD_NOT_FOUND', error: 'Not Found', message: expect.any(String) });
      expect(res.headers['x-request-id']).toBe('ops-404');
    }
  });

  it('a URL that does not decode is 400 JD_INVALID_REQUEST in the contract shape, with a request id', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    for (const path of ['/api/v1/progress/%E0%A4%A', '/api/v1/sync/applications/%ZZ']) {
      const res = await supertest(t.app.server).get(path).set('x-request-id', 'ops-bad-url');
      expect(res.status, path).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, code: 'JD_INVALID_REQUEST', error: 'Bad Request', message: expect.any(String) });
      expect(res.headers['x-request-id']).toBe('ops-bad-url');
    }
  });
});
