// The plan refresh: after midnight and after the working hours' end, every active application's plan that went out of
// date is re-planned and stored, walking the applications by number in short chunks on the sweeper's timer. Its
// position is the data itself: a refreshed plan is current, so after a restart the walk skips what is done.
import { planningDayStart } from '../domain/plan-refresh.ts';
import { DEFAULT_WORKING_HOURS } from '../domain/working-time.ts';
import { yieldToEventLoop } from '../event-loop.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { RefreshChunk, Replanning } from './replanning.ts';

/** Work per chunk transaction before it commits and yields (the event loop is never held much longer). */
export const PLAN_REFRESH_CHUNK_MS = 10;
/** Applications read per statement of the walk. */
export const PLAN_REFRESH_SCAN_ROWS = 256;
/** Longest a sweep spends on the walk; the rest waits for the next sweep, so the sweep's other tasks keep their pace. */
export const PLAN_REFRESH_SWEEP_MS = 15_000;

export interface PlanRefreshOptions {
  ctx: ServiceContext;
  replanning: Replanning;
  /** work per chunk transaction (PLAN_REFRESH_CHUNK_MS) */
  chunkMs?: number;
  /** applications read per statement (PLAN_REFRESH_SCAN_ROWS) */
  scanRows?: number;
  /** longest one run walks before it leaves the rest to the next (PLAN_REFRESH_SWEEP_MS) */
  runMs?: number;
  /** after each chunk (tests, benchmarks) */
  onChunk?: (chunk: RefreshChunk) => void;
}

export interface PlanRefreshRun {
  /** applications re-planned in this run */
  refreshed: number;
  /** whether the walk reached the last application */
  finished: boolean;
}

export function createPlanRefresh(options: PlanRefreshOptions) {
  const { ctx, replanning } = options;
  const limits = { scanRows: options.scanRows ?? PLAN_REFRESH_SCAN_ROWS, budgetMs: options.chunkMs ?? PLAN_REFRESH_CHUNK_MS };
  const runMs = options.runMs ?? PLAN_REFRESH_SWEEP_MS;
  const frame = { calendar: ctx.calendar, timeZone: ctx.timeZone, workingHours: ctx.workingHours ?? DEFAULT_WORKING_HOURS };
  /** the planning day whose walk has finished (a process starts with none: it walks once, skipping current plans) */
  let walked: number | null = null;
  /** the walk under way: its planning day and position */
  let walk: { day: number; position: string } | null = null;

  return {
    /**
     * The sweeper's task: continues (or starts, once a new planning day has begun) the walk for at most `runMs`,
     * in chunks that yield to the event loop between them.
     */
    async run(): Promise<PlanRefreshRun> {
      const day = planningDayStart(ctx.clock.now(), frame);
      if (walked === day) return { refreshed: 0, finished: true };
      if (walk?.day !== day) walk = { day, position: '' };
      const started = performance.now();
      let refreshed = 0;
      for (;;) {
        const chunk = await replanning.refreshChunk(walk.position, limits);
        options.onChunk?.(chunk);
        refreshed += chunk.refreshed;
        if (chunk.position === null) {
          walked = day;
          walk = null;
          return { refreshed, finished: true };
        }
        walk.position = chunk.position;
        if (performance.now() - started >= runMs) return { refreshed, finished: false };
        await yieldToEventLoop();
      }
    },
  };
}

export type PlanRefresh = ReturnType<typeof createPlanRefresh>;
