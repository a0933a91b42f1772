// Per-process caches across instances: two instances on one PostgreSQL database (each its own backend: pool, leases,
// and the realtime hub on LISTEN/NOTIFY). Step completions synced through instance A change the learnt step durations (经验值); instance B,
// which had its own copy cached, drops it on A's announcement and plans with the new durations, as an instance that
// starts afresh does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../db/postgres/client.ts';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import type { Backend } from '../../server/backend.ts';
import { findProcess, findStep } from '../../server/domain/catalog.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { completed, postEvents, putApplication, putHandler, started } from '../support/notices.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';


describe('cache invalidation across instances on PostgreSQL', () => {
  let target: TestPostgres;
  const backends: Backend[] = [];
  const apps: TestApp[] = [];
  beforeEach(async () => {
    target = await freshPostgresDatabase();
    await (await openPostgres(target.url)).close();
  });
  afterEach(async () => {
    for (const t of apps.splice(0)) await t.app.close();
    await Promise.all(backends.splice(0).map((b) => b.close()));
    await target.drop();
  });

  async function instance(): Promise<TestApp> {
    const backend = await openPostgresBackend({ url: target.url });
    backends.push(backend);
    const t = await buildTestApp({ deps: { backend, startDispatcher: false, startSweeper: false } });
    apps.push(t);
    return t;
  }

  it("drops instance B's learnt durations when step completions are recorded through instance A", async () => {
    const a = await instance();
    const b = await instance();
    const process = findProcess(b.app.context.catalog, 'hv_single')!;
    const survey = findStep(process, 'survey')!;
    // as a plan asks for it: loaded for the process first (no statement once loaded), then read from the cache
    const typical = async (t: TestApp) => {
      const { learnt } = t.app.context;
      await learnt.load(t.app.stores.applications, process);
      return learnt.typicalWorkdays('hv_single', survey);
    };

    // B has planned with the catalog's value: nothing is learnt yet, and B keeps what it read
    const before = await typical(b);
    expect(before).toBe(survey.typicalWorkdays);

    // five surveys through A, each taking a day longer than the catalog says
    await putHandler(a, 'H001');
    for (let n = 1; n <= 5; n++) {
      const no = `YX2026-010${n}`;
      await putApplication(a, no);
      await postEvents(a, [
        started(no, 'accept', '2026-11-02T09:00:00+08:00'),
        completed(no, 'accept', '2026-11-02T10:00:00+08:00'),
        started(no, 'survey', '2026-11-02T10:00:00+08:00'),
        completed(no, 'survey', '2026-11-23T16:00:00+08:00'),
      ]);
    }
    const learnt = await typical(a);
    expect(learnt).not.toBe(before);

    // B reads afresh only once its cache was dropped: without the announcement it keeps answering `before`
    const deadline = Date.now() + 10_000;
    while ((await typical(b)) === before) {
      if (Date.now() > deadline) throw new Error("timed out after 10000 ms waiting for B's learnt durations to be rebuilt");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await typical(b)).toBe(learnt);
    // as an instance starting now reads them
    const c = await instance();
    expect(await typical(c)).toBe(learnt);
  });
});
