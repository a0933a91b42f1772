// buildApp(deps) → a Fastify instance that never listens by itself: the one place that wires plugins.
import path from 'node:path';
import type { Wechaty } from 'wechaty';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';
import { createHttpServer } from './http-server.ts';
import { routes } from './routes/index.ts';
import type { Database_ } from '../db/client.ts';
import { createSqliteBackend } from '../db/sqlite/backend.ts';
import type { Backend } from './backend.ts';
import { storesPlugin } from './stores.ts';
import { staffPlugin } from './staff/plugin.ts';
import { createChannels } from '../channels/index.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { loadReferenceData, type ReferenceData } from './shared/reference-data.ts';
import { createLearntDurations } from './applications/learnt-durations.ts';
import type { WorkingHours } from './domain/working-time.ts';
import type { ServiceContext } from './shared/context.ts';
import type { IngestHooks } from './applications/ingest.ts';
import type { PlanRefreshOptions } from './applications/plan-refresh.ts';
import { applicationsPlugin } from './applications/plugin.ts';
import { customersPlugin } from './customers/plugin.ts';
import { ATTEMPTS_KEPT_MS } from './limits/attempt-log.ts';
import { noticesPlugin } from './notices/plugin.ts';
import { createMetrics, type Metrics } from './shared/metrics.ts';
import { createInProcessHub, type RealtimeHub } from './realtime/hub.ts';
import { hurriesPlugin } from './hurries/plugin.ts';
import type { SlaChunkOptions } from './time-limits/sla.ts';
import { timeLimitsPlugin } from './time-limits/plugin.ts';
import { receiptLookup } from './inbound/template-sms.ts';
import { inboundPlugin } from './inbound/plugin.ts';
import type { Leases } from './lease.ts';
import { createCacheInvalidation } from './realtime/invalidation.ts';
import { loadKnowledgeFile } from './chat/knowledge-base.ts';
import { chatPlugin } from './chat/plugin.ts';
import { loadRiskRules } from './risks/risk-rules.ts';
import { risksPlugin } from './risks/plugin.ts';

export const templatesDir = path.resolve(import.meta.dirname, '../templates');

export interface AppDeps {
  config: Config;
  /** the database (db/sqlite/backend.ts, db/postgres/backend.ts); without it, `database` */
  backend?: Backend;
  /** an open SQLite database, the embedded default: used when no backend is given */
  database?: Database_;
  clock?: Clock;
  reference?: ReferenceData;
  /** Fastify logger option: false in tests, pino options in main */
  logger?: FastifyServerOptions['logger'];
  /** extra ingest hooks (tests) */
  ingestHooks?: IngestHooks;
  /** a ready-built Wechaty (tests: wechaty-puppet-mock); otherwise built from config */
  wechaty?: Wechaty;
  /** false: outbox rows stay queued until `dispatcher.start()` (tests that look at the queue) */
  startDispatcher?: boolean;
  /** false: no periodic sweeps; tests call `sweeper.sweep()` with a manual clock */
  startSweeper?: boolean;
  /** the SLA sweep's chunking (tests, benchmarks): rows and milliseconds per transaction, a per-chunk report */
  sla?: SlaChunkOptions;
  /** the plan refresh's chunking (tests, benchmarks) */
  planRefresh?: Pick<PlanRefreshOptions, 'chunkMs' | 'scanRows' | 'runMs' | 'onChunk'>;
  /** how often the server looks for alerts other processes committed (ALERT_FEED_INTERVAL_MS); tests shorten it */
  alertFeedIntervalMs?: number;
  hub?: RealtimeHub;
  random?: () => number;
  /** what one instance of several does at a time (the sweeper, the Wechaty bot); default: the backend's */
  leases?: Leases;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the configuration, as loaded from the environment */
    config: Config;
    /** what the modules share: reference data (catalog, calendar), learnt durations, the clock, time zone, working hours */
    context: ServiceContext;
    /** live updates: in-process, or across instances through PostgreSQL LISTEN/NOTIFY */
    hub: RealtimeHub;
    /** what GET /metrics shows; modules add their gauges */
    metrics: Metrics;
  }
}

export async function buildApp(deps: AppDeps) {
  const { config } = deps;
  if (!deps.backend && !deps.database) throw new Error('buildApp needs a backend or an open SQLite database');
  const backend = deps.backend ?? createSqliteBackend(deps.database!);
  const clock = deps.clock ?? systemClock;
  const reference = deps.reference ?? loadReferenceData(config);

  const metrics = createMetrics();
  const app = await createHttpServer({ logger: deps.logger, publicUrl: config.publicUrl, shutdownGraceMs: config.shutdownGraceMs, metrics });

  const workingHours: WorkingHours = { periods: config.workingHours, seasons: reference.workingSeasons };
  const riskRules = loadRiskRules(config.riskRulesPath);
  const context: ServiceContext = {
    catalog: reference.catalog,
    calendar: reference.calendar,
    learnt: createLearntDurations(),
    clock,
    timeZone: config.timeZone,
    secret: config.secret,
    workingHours,
    limitRiskShare: riskRules.rules.limit_nearly_used.remainingShare,
  };
  const channels = createChannels({
    config,
    logger: app.log,
    wechaty: deps.wechaty,
    wechatOa: { tokens: backend.stores.wechatOa, now: () => clock.now(), templateMapPath: path.join(templatesDir, 'wechat-oa.json') },
    templatesDir,
    now: () => clock.now(),
    onOperatorAlert: (provider, code) => metrics.count('jiedian_sms_provider_alerts_total', 'Template SMS refusals an operator must act on (balance, sign name, template), by provider and code', { provider, code }),
    // Tencent's findSent asks the status reports received first
    receiptFor: receiptLookup(backend.stores.smsReceipts),
  });
  const hub = deps.hub ?? backend.hub ?? createInProcessHub((error) => app.log.error({ err: error }, 'live subscriber failed'));
  const leases = deps.leases ?? backend.leases;
  app.decorate('config', config);
  app.decorate('context', context);
  app.decorate('hub', hub);
  app.decorate('metrics', metrics);
  await app.register(storesPlugin, backend);
  await app.register(noticesPlugin, {
    config,
    ctx: context,
    templatesDir,
    processCodes: reference.catalog.processes.map((p) => p.code),
    channels,
    metrics,
    queue: backend.deliveries,
    health: backend.health,
    startDispatcher: deps.startDispatcher,
    random: deps.random,
    botLease: leases.wechatBot,
  });
  const { writer: notices, dispatcher } = app.notices;
  await app.register(staffPlugin, { secret: config.secret, clock, timeZone: config.timeZone, metrics, hub, attempts: backend.attempts });
  await app.register(timeLimitsPlugin, {
    ctx: context,
    hub,
    notices,
    workingHours,
    health: backend.health,
    sweepIntervalMs: config.slaSweepIntervalMs,
    committed: backend.committedAlerts,
    wakeDispatcher: () => dispatcher.wake(),
    sla: deps.sla,
    alertFeedIntervalMs: deps.alertFeedIntervalMs,
    lease: leases.sweeper,
  });
  await app.register(risksPlugin, { ctx: context, hub, rules: riskRules, workingHours, metrics });
  await app.register(hurriesPlugin, { ctx: context, hub, notices, workingHours, cooldownHours: config.hurryCooldownHours, wakeDispatcher: () => dispatcher.wake() });
  const caches = createCacheInvalidation(hub, (error) => app.log.error({ err: error }, 'a cache invalidation could not be handled'));
  app.addHook('onClose', async () => caches.close());
  await app.register(applicationsPlugin, {
    ctx: context,
    hub,
    caches,
    hooks: { inTransaction: [app.risks.ratings.onIngest, ...(deps.ingestHooks?.inTransaction ?? [])], afterCommit: deps.ingestHooks?.afterCommit },
    planRefresh: deps.planRefresh,
  });
  const { views } = app.applications;
  await app.register(customersPlugin, { ctx: context, attempts: backend.attempts });
  await app.register(chatPlugin, {
    ctx: context,
    views,
    notices,
    hurries: app.hurries,
    hub,
    queryCodeGuesses: app.customers.queryCodeGuesses,
    attempts: backend.attempts,
    knowledgeFile: loadKnowledgeFile(config.knowledgeBasePath),
    wechat: channels.wechat ?? null,
    wakeDispatcher: () => dispatcher.wake(),
  });
  await app.register(inboundPlugin, { config, clock, wechatOaApi: channels.wechatOa });
  app.timeLimits.sweeper.add({ name: 'attempt log', run: () => backend.attempts.forgetBefore(clock.now() - ATTEMPTS_KEPT_MS) });

  metrics.gauge({
    name: 'jiedian_outbox_rows',
    help: 'Outbox rows by channel and status (pending + sending = depth)',
    collect: async () => (await app.stores.outbox.countsByChannelAndStatus()).map((r) => ({ labels: { channel: r.channel, status: r.status }, value: r.count })),
  });
  metrics.gauge({
    name: 'jiedian_open_alerts',
    help: 'Time-limit alerts still in the queue, by level (overdue ones until explained)',
    collect: async () => (await app.stores.alerts.openCount()).map((r) => ({ labels: { level: r.level }, value: r.n })),
  });
  metrics.gauge({ name: 'jiedian_open_hurries', help: 'Hurry requests not yet answered', collect: async () => [{ labels: {}, value: await app.hurries.openCount() }] });
  metrics.gauge({ name: 'jiedian_open_consults', help: 'Chatbot requests for a person (转人工) not yet closed', collect: async () => [{ labels: {}, value: await app.stores.chats.openConsultCount() }] });

  app.addHook('onReady', async () => {
    if (deps.startSweeper !== false) app.timeLimits.sweeper.start();
    app.timeLimits.alertFeedTimer.start();
  });
  app.addHook('onClose', async () => {
    await app.timeLimits.sweeper.stop();
    await app.timeLimits.alertFeedTimer.stop();
    // another instance takes the work over
    await Promise.all([leases.sweeper.close(), leases.wechatBot.close()]);
  });

  await app.register(routes, { config, clock, hub, metrics, writeProblem: () => backend.writeProblem(), instance: () => ({ databaseKind: backend.kind, leases: { sweeper: leases.sweeper.held(), wechatBot: leases.wechatBot.held() } }), attempts: backend.attempts });
  return app;
}

export type JiedianApp = Awaited<ReturnType<typeof buildApp>>;
