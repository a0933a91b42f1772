// The time-limits module (时限监控): the SLA sweep and its alerts, the alert feed from other processes, the weekly
// digest, the timeliness statistics, and the sweeper whose timer runs them (and other modules' timed jobs).
import fp from 'fastify-plugin';
import type { CommittedAlerts } from '../../db/sqlite/committed-alerts.ts';
import type { WriteHealth } from '../../db/unit-of-work.ts';
import type { WorkingHours } from '../domain/working-time.ts';
import type { Lease } from '../lease.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import type { Alert } from './alert-store.ts';
import { ALERT_FEED_INTERVAL_MS, createAlertFeed, sharedHubAlertFeed, type AlertFeed } from './alert-feed.ts';
import { createAlertService, type AlertService } from './alerts.ts';
import { createSlaService, type SlaChunkOptions, type SlaService } from './sla.ts';
import { createSweeper, type Sweeper, type SweepTask } from './sweeper.ts';
import { createTimelinessStats, type TimelinessStats } from './timeliness.ts';
import { createWeeklyDigest, type WeeklyDigest } from './weekly-digest.ts';

export interface TimeLimitsModule {
  alerts: AlertService;
  sla: SlaService;
  weeklyDigest: WeeklyDigest;
  timeliness: TimelinessStats;
  alertFeed: AlertFeed;
  /** the sweep's timer: other modules' timed jobs, then the SLA alerts and the weekly digest */
  sweeper: Sweeper;
  /** how often alerts other processes committed are looked for */
  alertFeedTimer: Sweeper;
}

declare module 'fastify' {
  interface FastifyInstance {
    timeLimits: TimeLimitsModule;
  }
}

export interface TimeLimitsPluginOptions {
  ctx: ServiceContext;
  hub: RealtimeHub;
  notices: NoticeWriter;
  workingHours: WorkingHours;
  health: WriteHealth;
  /** SLA_SWEEP_INTERVAL_MS */
  sweepIntervalMs: number;
  /** alerts in the order any connection committed them (SQLite); null: every instance publishes its own through the hub */
  committed: CommittedAlerts | null;
  wakeDispatcher: () => void;
  /** the SLA sweep's chunking (tests, benchmarks) */
  sla?: SlaChunkOptions;
  alertFeedIntervalMs?: number;
  /** several instances: the sweeper's tasks (its own and other modules') run only on the holder of this lease */
  lease?: Lease;
}

export const timeLimitsPlugin = fp<TimeLimitsPluginOptions>(
  async (app, options) => {
    const { stores, transact } = app;
    const { ctx, hub, notices, workingHours, wakeDispatcher } = options;
    const alerts = createAlertService(ctx, stores, transact, hub);
    // alerts another process (`sla:sweep`) commits to the same file reach this process's live sockets through the feed
    const alertFeed = options.committed ? createAlertFeed({ transact, committed: options.committed, alerts }) : sharedHubAlertFeed(transact);
    const sla = createSlaService({ ...options.sla, ctx, alerts, notices, workingHours, wakeDispatcher, transaction: alertFeed.transaction, log: app.log });
    const timeliness = createTimelinessStats({ ctx, stores });
    const weeklyDigest = createWeeklyDigest({ ctx, transact, notices, timeliness, workingHours, wakeDispatcher });
    const sweeper = createSweeper({
      intervalMs: options.sweepIntervalMs,
      log: app.log,
      health: options.health,
      lease: options.lease,
      tasks: [{ name: 'sla alerts', run: () => sla.sweep() }, { name: 'weekly digest', run: () => weeklyDigest.run() }],
    });
    const alertFeedTimer = createSweeper({
      intervalMs: options.alertFeedIntervalMs ?? ALERT_FEED_INTERVAL_MS,
      log: app.log,
      health: options.health,
      tasks: [{ name: 'alerts raised elsewhere', run: () => alertFeed.catchUp() }],
    });
    app.decorate('timeLimits', { alerts, sla, weeklyDigest, timeliness, alertFeed, sweeper, alertFeedTimer } satisfies TimeLimitsModule);
  },
  { name: 'time-limits', dependencies: ['stores'] },
);
