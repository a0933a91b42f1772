// Runs time-driven checks (hurry escalation, SLA alerts, the weekly digest, alerts other processes raised) every
// interval; one run at a time, never overlapping. A task that fails (a locked or full database) is logged and backs
// off on its own, the others keep their pace, and nothing it throws reaches the timer.
import type { FastifyBaseLogger } from 'fastify';
import { backoffMs } from '../domain/backoff.ts';
import type { WriteHealth } from '../../db/unit-of-work.ts';
import type { Lease } from '../lease.ts';

export interface SweepTask {
  name: string;
  run(): unknown | Promise<unknown>;
}

export interface SweeperOptions {
  tasks: SweepTask[];
  intervalMs: number;
  log: FastifyBaseLogger;
  /** where failures that are refused writes are reported (/healthz) */
  health?: WriteHealth;
  random?: () => number;
  /** the time for backoff (tests); Date.now by default */
  now?: () => number;
  /**
   * Several instances on one database: the tasks run only while this instance holds the lease (a sweep on an
   * instance that does not is skipped), and a sweep runs as soon as it takes the lease over. Absent: always.
   */
  lease?: Lease;
}

export function createSweeper(options: SweeperOptions) {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopFollowing: (() => void) | undefined;
  /** per task: consecutive failures, and the time before which a periodic run skips it */
  const backoff = new Map<string, { failures: number; until: number }>();

  async function sweepOnce(periodic: boolean): Promise<void> {
    for (const task of tasks) {
      // checked before each task: a lease lost mid-sweep leaves the rest to the new holder
      if (options.lease && !options.lease.held()) return;
      const state = backoff.get(task.name);
      if (periodic && state && now() < state.until) continue;
      try {
        await task.run();
        backoff.delete(task.name);
      } catch (error) {
        options.health?.failed(error);
        const failures = (state?.failures ?? 0) + 1;
        const delay = Math.max(options.intervalMs, backoffMs(failures, random()));
        backoff.set(task.name, { failures, until: now() + delay });
        // the first failure and then every tenth: a database locked for minutes is not a log flood
        if (failures === 1 || failures % 10 === 0) options.log.error({ err: error, task: task.name, failures, retryInMs: delay }, 'sweep task failed');
      }
    }
  }

  function sweep(periodic: boolean): Promise<void> {
    running ??= sweepOnce(periodic).finally(() => {
      running = null;
    });
    return running;
  }

  const tasks = [...options.tasks];

  return {
    /** Adds a timed job of another module, run after the tasks before it (at start-up, before the timer starts). */
    add(task: SweepTask): void {
      tasks.push(task);
    },
    /** Runs every task once; a call while a sweep runs waits for that sweep instead of starting another. */
    sweep: () => sweep(false),
    start(): void {
      if (timer) return;
      timer = setInterval(() => void sweep(true), options.intervalMs);
      timer.unref();
      stopFollowing = options.lease?.onChange((held) => {
        if (held && timer) void sweep(true);
      });
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      stopFollowing?.();
      stopFollowing = undefined;
      await running;
    },
    /** whether this instance runs the tasks now (holds the lease, if there is one) */
    holds: () => !options.lease || options.lease.held(),
  };
}

export type Sweeper = ReturnType<typeof createSweeper>;
