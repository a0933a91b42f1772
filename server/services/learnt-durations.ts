// Typical step durations learnt from completions (经验值), cached per process and step.
import type { ApplicationStore } from '../../db/application-store.ts';
import type { ProcessStep } from '../domain/catalog.ts';
import { LEARNT_TYPICAL_WINDOW, learntTypicalWorkdays } from '../domain/typical-durations.ts';

export function createLearntDurations(store: ApplicationStore) {
  /** oldest → newest, at most LEARNT_TYPICAL_WINDOW */
  const recent = new Map<string, number[]>();
  /** the learnt typical value while `recent` is unchanged (it sorts up to 50 durations; re-plans ask per step) */
  const typical = new Map<string, { step: ProcessStep; workdays: number }>();
  const keyOf = (processCode: string, stepCode: string) => `${processCode}/${stepCode}`;

  function durations(processCode: string, stepCode: string): number[] {
    const key = keyOf(processCode, stepCode);
    let list = recent.get(key);
    if (!list) {
      list = store.recentCompletionWorkdays(processCode, stepCode, LEARNT_TYPICAL_WINDOW).reverse();
      recent.set(key, list);
    }
    return list;
  }

  return {
    typicalWorkdays(processCode: string, step: ProcessStep): number {
      const key = keyOf(processCode, step.code);
      const cached = typical.get(key);
      if (cached !== undefined && cached.step === step) return cached.workdays;
      const workdays = learntTypicalWorkdays(durations(processCode, step.code), step);
      typical.set(key, { step, workdays });
      return workdays;
    },
    /** Called inside the transaction that records the completion; `forget` undoes it if that transaction fails. */
    completed(processCode: string, stepCode: string, workdays: number): void {
      const list = durations(processCode, stepCode);
      list.push(workdays);
      if (list.length > LEARNT_TYPICAL_WINDOW) list.shift();
      typical.delete(keyOf(processCode, stepCode));
    },
    forget(): void {
      recent.clear();
      typical.clear();
    },
  };
}

export type LearntDurations = ReturnType<typeof createLearntDurations>;
