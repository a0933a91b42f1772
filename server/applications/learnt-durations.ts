// Typical step durations learnt from completions (经验值), cached per process and step: a plan asks for them at once,
// so a unit of work loads a process's durations (`load`) before it plans; loaded once, they are kept up to date here.
// Forgetting them (another instance recorded completions, or a write failed) marks them stale rather than dropping
// them: the next `load` reads them afresh, and a plan already past its `load` still has the values it loaded.
import type { ApplicationStore } from './application-store.ts';
import type { Process, ProcessStep } from '../domain/catalog.ts';
import { LEARNT_TYPICAL_WINDOW, learntTypicalWorkdays } from '../domain/typical-durations.ts';

export function createLearntDurations() {
  /** oldest → newest, at most LEARNT_TYPICAL_WINDOW */
  const recent = new Map<string, number[]>();
  /** the learnt typical value while `recent` is unchanged (it sorts up to 50 durations; re-plans ask per step) */
  const typical = new Map<string, { step: ProcessStep; workdays: number }>();
  /** loaded lists to read afresh on their next load */
  const stale = new Set<string>();
  const keyOf = (processCode: string, stepCode: string) => `${processCode}/${stepCode}`;
  const current = (key: string) => (stale.has(key) ? undefined : recent.get(key));

  async function loadStep(store: ApplicationStore, processCode: string, stepCode: string): Promise<number[]> {
    const key = keyOf(processCode, stepCode);
    let list = current(key);
    if (!list) {
      const loaded = (await store.recentCompletionWorkdays(processCode, stepCode, LEARNT_TYPICAL_WINDOW)).reverse();
      // another unit of work may have loaded it meanwhile (PostgreSQL); the first list loaded is the one kept current
      list = current(key) ?? loaded;
      if (list === loaded) {
        recent.set(key, list);
        stale.delete(key);
        typical.delete(key);
      }
    }
    return list;
  }

  function durations(processCode: string, stepCode: string): number[] {
    const list = recent.get(keyOf(processCode, stepCode));
    if (!list) throw new Error(`learnt durations of ${processCode}/${stepCode} asked for before they were loaded`);
    return list;
  }

  return {
    /** Loads the durations of the process's steps not yet loaded (none once they are: no statement). */
    async load(store: ApplicationStore, process: Process): Promise<void> {
      for (const step of process.steps) if (!current(keyOf(process.code, step.code))) await loadStep(store, process.code, step.code);
    },
    typicalWorkdays(processCode: string, step: ProcessStep): number {
      const key = keyOf(processCode, step.code);
      const cached = typical.get(key);
      if (cached !== undefined && cached.step === step) return cached.workdays;
      const workdays = learntTypicalWorkdays(durations(processCode, step.code), step);
      typical.set(key, { step, workdays });
      return workdays;
    },
    /** Called inside the transaction that records the completion; `forget` undoes it if that transaction fails. */
    async completed(store: ApplicationStore, processCode: string, stepCode: string, workdays: number): Promise<void> {
      const list = await loadStep(store, processCode, stepCode);
      list.push(workdays);
      if (list.length > LEARNT_TYPICAL_WINDOW) list.shift();
      typical.delete(keyOf(processCode, stepCode));
    },
    forget(): void {
      for (const key of recent.keys()) stale.add(key);
    },
  };
}

export type LearntDurations = ReturnType<typeof createLearntDurations>;
