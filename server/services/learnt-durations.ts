// Typical step durations learnt from completions (经验值), cached per process and step.
import type { ApplicationStore } from '../../db/application-store.ts';
import type { ProcessStep } from '../domain/catalog.ts';
import { LEARNT_TYPICAL_WINDOW, learntTypicalWorkdays } from '../domain/typical-durations.ts';

export function createLearntDurations(store: ApplicationStore) {
  /** oldest → newest, at most LEARNT_TYPICAL_WINDOW */
  const recent = new Map<string, number[]>();
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
      return learntTypicalWorkdays(durations(processCode, step.code), step);
    },
    /** Called inside the transaction that records the completion; `forget` undoes it if that transaction fails. */
    completed(processCode: string, stepCode: string, workdays: number): void {
      const list = durations(processCode, stepCode);
      list.push(workdays);
      if (list.length > LEARNT_TYPICAL_WINDOW) list.shift();
    },
    forget(): void {
      recent.clear();
    },
  };
}

export type LearntDurations = ReturnType<typeof createLearntDurations>;
