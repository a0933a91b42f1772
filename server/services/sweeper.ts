// Runs time-driven checks (hurry escalation, SLA alerts) every interval; one run at a time, never overlapping.
import type { FastifyBaseLogger } from 'fastify';

export interface SweepTask {
  name: string;
  run(): unknown | Promise<unknown>;
}

export function createSweeper(options: { tasks: SweepTask[]; intervalMs: number; log: FastifyBaseLogger }) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function sweepOnce(): Promise<void> {
    for (const task of options.tasks) {
      try {
        await task.run();
      } catch (error) {
        options.log.error({ err: error, task: task.name }, 'sweep task failed');
      }
    }
  }

  return {
    /** Runs every task once; a call while a sweep runs waits for that sweep instead of starting another. */
    sweep(): Promise<void> {
      running ??= sweepOnce().finally(() => {
        running = null;
      });
      return running;
    },
    start(): void {
      if (timer) return;
      timer = setInterval(() => void this.sweep(), options.intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

export type Sweeper = ReturnType<typeof createSweeper>;
