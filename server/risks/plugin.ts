// The complaint-risk module (投诉风险预警): risk items and their signals, the satisfaction follow-up (回访), the risk
// statistics and the monthly exposure report (曝光台). Its timed jobs (limit risks, handling limits, owed texts, the
// monthly report) run on the time-limits sweeper.
import fp from 'fastify-plugin';
import type { RiskRules } from '../domain/risk.ts';
import type { WorkingHours } from '../domain/working-time.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Metrics } from '../shared/metrics.ts';
import { createExposureReport, type ExposureReportService } from './exposure-report.ts';
import { createRatingService, type RatingService } from './ratings.ts';
import { createRiskService, type RiskService } from './risk-items.ts';
import { createRiskStats, type RiskStats } from './risk-stats.ts';

export interface RisksModule {
  /** risk items: signals recorded and judged, the queue, closing with a handling note, the sweeper's tasks */
  items: RiskService;
  /** the satisfaction follow-up: asked at switch-on, answered by chat, SMS or the kiosk */
  ratings: RatingService;
  /** risk statistics per team or handler */
  stats: RiskStats;
  /** the monthly exposure report */
  exposure: ExposureReportService;
}

declare module 'fastify' {
  interface FastifyInstance {
    risks: RisksModule;
  }
}

export interface RisksPluginOptions {
  ctx: ServiceContext;
  hub: RealtimeHub;
  /** RISK_RULES_PATH, loaded */
  rules: RiskRules;
  workingHours: WorkingHours;
  /** the open-items gauge goes here */
  metrics: Metrics;
}

export const risksPlugin = fp<RisksPluginOptions>(
  async (app, options) => {
    const { stores, transact } = app;
    const { ctx, hub, rules, workingHours } = options;
    const { writer: notices, dispatcher } = app.notices;
    const wakeDispatcher = () => dispatcher.wake();
    const items = createRiskService({ ctx, stores, transact, notices, hub, rules, workingHours, log: app.log, wakeDispatcher });
    const ratings = createRatingService({ ctx, stores, transact, riskService: items });
    const stats = createRiskStats({ ctx, stores });
    const exposure = createExposureReport({ ctx, stores, transact, notices, rules, wakeDispatcher });
    const { sweeper } = app.timeLimits;
    sweeper.add({ name: 'risk limits', run: () => items.raiseLimitRisks() });
    sweeper.add({ name: 'risk handling limits', run: () => items.raiseOverdue() });
    sweeper.add({ name: 'risk texts', run: () => items.sendDueTexts() });
    sweeper.add({ name: 'monthly exposure report', run: () => exposure.run() });
    options.metrics.gauge({
      name: 'jiedian_open_risk_items',
      help: 'Complaint-risk items not yet closed, by tier',
      collect: async () => (await stores.risks.openCount()).map((r) => ({ labels: { tier: r.tier }, value: r.n })),
    });
    app.decorate('risks', { items, ratings, stats, exposure });
  },
  { name: 'risks', dependencies: ['stores', 'notices', 'time-limits'] },
);
