// The applications module (业扩申请): the mirror of the marketing system (ingest), planning and re-planning, the
// daily plan refresh on the sweeper's timer, and the progress views. A change's transaction writes what it causes
// (notices, alerts and the hooks given), and after commit wakes the dispatcher and pushes the new progress live.
import fp from 'fastify-plugin';
import { topics, type RealtimeHub } from '../realtime/hub.ts';
import type { CacheInvalidation } from '../realtime/invalidation.ts';
import type { ServiceContext } from '../shared/context.ts';
import { createChangeFlow, type IngestChanges, type IngestHooks } from './change-flow.ts';
import { createIngestService, type IngestService } from './ingest.ts';
import { createPlanRefresh, type PlanRefresh, type PlanRefreshOptions } from './plan-refresh.ts';
import { createProgressViews, storeMissingProgressViews, type ProgressViews } from './progress-views.ts';
import { createReplanning, type Replanning } from './replanning.ts';

export interface ApplicationsModule {
  /** handlers, applications and step events from the marketing system */
  ingest: IngestService;
  /** the staff re-plan with a new requested date */
  replanning: Replanning;
  /** stored plans of earlier days made current, in chunks, on the sweeper's timer */
  planRefresh: PlanRefresh;
  /** reads, which never write */
  views: ProgressViews;
}

declare module 'fastify' {
  interface FastifyInstance {
    applications: ApplicationsModule;
  }
}

export interface ApplicationsPluginOptions {
  ctx: ServiceContext;
  hub: RealtimeHub;
  /** other modules' consequences of a change (after the notices' and the time limits' own), and tests' hooks */
  hooks?: IngestHooks;
  /** the plan refresh's chunking (tests, benchmarks) */
  planRefresh?: Pick<PlanRefreshOptions, 'chunkMs' | 'scanRows' | 'runMs' | 'onChunk'>;
  /** several instances: a completion recorded here drops the other instances' learnt durations, and theirs ours */
  caches?: CacheInvalidation;
}

export const applicationsPlugin = fp<ApplicationsPluginOptions>(
  async (app, options) => {
    const { ctx, hub } = options;
    const { writer, dispatcher } = app.notices;
    const views = createProgressViews(ctx, app.stores.applications);
    const filled = await storeMissingProgressViews(app.stores, app.transact);
    if (filled > 0) app.log.info({ applications: filled }, 'stored the progress views this database lacked');
    /** The new view of each changed application that a page on this instance follows, to those pages. */
    const pushHere = (applicationNos: Iterable<string>) => {
      for (const applicationNo of applicationNos) {
        const topic = topics.application(applicationNo);
        if (!hub.hasSubscribers(topic)) continue;
        void views
          .customerView(applicationNo)
          .then((application) => {
            if (application) hub.publishHere(topic, JSON.stringify({ type: 'progress', application }));
          })
          .catch((error: unknown) => app.log.error({ err: error, applicationNo }, 'live progress not pushed'));
      }
    };
    // Several instances: a commit announces which applications changed, and each instance (this one too) pushes to
    // the pages it holds, so a view is read only where someone follows it.
    const pushProgress = hub.spansInstances
      ? (changes: IngestChanges) => {
          if (changes.applications.size > 0) hub.publish(topics.progressChanged, JSON.stringify([...changes.applications]));
        }
      : (changes: IngestChanges) => pushHere(changes.applications);
    if (hub.spansInstances) {
      const stop = hub.subscribe(topics.progressChanged, (message) => pushHere(JSON.parse(message) as string[]));
      app.addHook('onClose', async () => stop());
    }
    const { caches } = options;
    if (caches) {
      const stopListening = caches.on('learnt-durations', () => ctx.learnt.forget());
      app.addHook('onClose', async () => stopListening());
    }
    const learntChanged = (changes: IngestChanges) => {
      if (changes.completedSteps.length > 0) caches?.changed('learnt-durations');
    };
    const changeFlow = createChangeFlow(ctx, app.transact, {
      inTransaction: [writer.onIngest, app.timeLimits.sla.onIngest, ...(options.hooks?.inTransaction ?? [])],
      afterCommit: [() => dispatcher.wake(), pushProgress, learntChanged, ...(options.hooks?.afterCommit ?? [])],
    });
    const ingest = createIngestService(ctx, app.stores, changeFlow);
    const replanning = createReplanning({ ctx, stores: app.stores, flow: changeFlow, checkRequestedDate: ingest.checkRequestedDate });
    const planRefresh = createPlanRefresh({ ctx, replanning, ...options.planRefresh });
    app.timeLimits.sweeper.add({ name: 'plan refresh', run: () => planRefresh.run() });
    app.decorate('applications', { ingest, replanning, planRefresh, views } satisfies ApplicationsModule);
  },
  { name: 'applications', dependencies: ['stores', 'notices', 'time-limits'] },
);
