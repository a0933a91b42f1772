// The learnt step durations' per-process cache (server/applications/learnt-durations.ts) when it is dropped while a unit of
// work loads it: on several instances another instance's completions drop it at any moment (a cache invalidation on
// the hub), here in the middle of a load. The plan that loaded must still get its values (it once failed with
// "asked for before they were loaded", a 500 to a sync of step events), and the next load reads them afresh.
import { describe, expect, it } from 'vitest';
import type { ApplicationStore } from '../../server/applications/application-store.ts';
import { findProcess } from '../../server/domain/catalog.ts';
import { createLearntDurations } from '../../server/applications/learnt-durations.ts';
import { loadReferenceData } from '../../server/shared/reference-data.ts';
import { buildTestApp, testConfig } from '../support/app.ts';

const process = findProcess(loadReferenceData(testConfig()).catalog, 'hv_single')!;

/** The app's application store (either database), counting its reads of learnt durations and running `during` inside the n-th. */
async function applicationStore(during: { nth: number; run: () => void } | null = null): Promise<{ store: ApplicationStore; reads: () => number }> {
  const t = await buildTestApp({ deps: { startSweeper: false, startDispatcher: false } });
  const real = t.app.stores.applications;
  let reads = 0;
  const store: ApplicationStore = {
    ...real,
    async recentCompletionWorkdays(processCode, stepCode, limit) {
      reads++;
      const rows = await real.recentCompletionWorkdays(processCode, stepCode, limit);
      if (during && reads === during.nth) during.run();
      return rows;
    },
  };
  return { store, reads: () => reads };
}

describe('learnt step durations dropped while they load', () => {
  it('a load the cache is dropped in the middle of still leaves every step of the process to plan with', async () => {
    const learnt = createLearntDurations();
    const { store } = await applicationStore({ nth: 3, run: () => learnt.forget() });
    await learnt.load(store, process);
    for (const step of process.steps) expect(learnt.typicalWorkdays(process.code, step)).toBe(step.typicalWorkdays);
  });

  it('the next load after a drop reads every step afresh, and none again once loaded', async () => {
    const learnt = createLearntDurations();
    const { store, reads } = await applicationStore();
    await learnt.load(store, process);
    expect(reads()).toBe(process.steps.length);
    await learnt.load(store, process);
    expect(reads()).toBe(process.steps.length);
    learnt.forget();
    await learnt.load(store, process);
    expect(reads()).toBe(2 * process.steps.length);
  });
});
