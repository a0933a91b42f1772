// How a change to applications is written and fanned out: one unit of work whose body re-plans and then writes what
// the change causes (the in-transaction hooks: notices, alerts), and after commit the fan-out (dispatcher, live).
import type { StepStatus } from '../domain/step-state.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Replanned } from './planning.ts';
import type { Stores, Transact } from '../stores.ts';

/** What a committed change did, for everything that follows from it (notices, live updates). */
export interface IngestChanges {
  applications: Set<string>;
  replans: Replanned[];
  /** `from`: the step's status before the event; a step already in progress whose start was corrected has `in_progress` */
  startedSteps: { applicationNo: string; stepCode: string; from: StepStatus; at: number }[];
  /**
   * `from`: the step's status before the event; a corrected completion time of a done step has `done`.
   * `runningDueAt`: the due time stored while the occurrence ran (what the sweep judged it by); null when no re-plan saw
   * it running (started in the same batch, or not in progress before the event).
   */
  completedSteps: { applicationNo: string; stepCode: string; from: StepStatus; runningDueAt: number | null; at: number }[];
}

export type ChangeListener = (changes: IngestChanges) => void;
/** inside the unit of work: `stores` are its stores, the only thing it may await */
export type InTransactionListener = (changes: IngestChanges, stores: Stores) => void | Promise<void>;

export interface IngestHooks {
  /** run inside the transaction, after re-planning: write what the changes cause (outbox rows, alerts) */
  inTransaction?: InTransactionListener[];
  /** run after commit: fan out (dispatcher, live updates) */
  afterCommit?: ChangeListener[];
}

export function createChangeFlow(ctx: ServiceContext, transact: Transact, hooks: IngestHooks = {}) {
  return {
    empty(): IngestChanges {
      return { applications: new Set(), replans: [], startedSteps: [], completedSteps: [] };
    },
    /** Inside the transaction, once the change is made: write what it causes. */
    async consequences(changes: IngestChanges, stores: Stores): Promise<void> {
      if (changes.applications.size === 0) return;
      for (const hook of hooks.inTransaction ?? []) await hook(changes, stores);
    },
    /** After commit: fan out. */
    publish(changes: IngestChanges): void {
      if (changes.applications.size === 0) return;
      for (const listener of hooks.afterCommit ?? []) listener(changes);
    },
    /**
     * Runs a write as a unit of work (waiting for another process's lock without blocking the event loop) and undoes
     * the learnt-duration cache if it fails, so cache and database never disagree.
     */
    async write<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
      try {
        return await transact(work);
      } catch (error) {
        ctx.learnt.forget();
        throw error;
      }
    },
  };
}

export type ChangeFlow = ReturnType<typeof createChangeFlow>;
