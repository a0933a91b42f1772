// buildApp(deps) → a Fastify instance that never listens by itself: the one place that wires plugins.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import type { Database_ } from '../db/client.ts';
import { createApplicationStore } from '../db/application-store.ts';
import { registerErrorHandling } from './http-errors.ts';
import { systemClock, type Clock } from './services/clock.ts';
import { loadReferenceData, type ReferenceData } from './services/reference-data.ts';
import { createLearntDurations } from './services/learnt-durations.ts';
import type { ServiceContext } from './services/context.ts';
import { createIngestService, type IngestHooks, type IngestService } from './services/ingest.ts';
import { createProgressViews, type ProgressViews } from './services/progress-views.ts';
import { createCustomerAccess, type CustomerAccess } from './services/customer-access.ts';
import syncRoutes from './routes/sync.ts';
import progressRoutes from './routes/progress.ts';
import operationsRoutes from './routes/operations.ts';

export interface AppDeps {
  config: Config;
  database: Database_;
  clock?: Clock;
  reference?: ReferenceData;
  /** Fastify logger option: false in tests, pino options in main */
  logger?: FastifyServerOptions['logger'];
  /** extra ingest hooks (tests) */
  ingestHooks?: IngestHooks;
}

export interface Services {
  config: Config;
  database: Database_;
  context: ServiceContext;
  ingest: IngestService;
  views: ProgressViews;
  customers: CustomerAccess;
}

declare module 'fastify' {
  interface FastifyInstance {
    jiedian: Services;
  }
}

/** Never log secrets, tokens or full phone numbers. */
export const redactedLogPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  '*.phone',
  '*.queryCode',
  '*.password',
  '*.token',
  '*.viewToken',
];

export async function buildApp(deps: AppDeps) {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const reference = deps.reference ?? loadReferenceData(config);
  const store = createApplicationStore(database.db);
  const context: ServiceContext = {
    database,
    store,
    catalog: reference.catalog,
    calendar: reference.calendar,
    learnt: createLearntDurations(store),
    clock,
    timeZone: config.timeZone,
    secret: config.secret,
  };
  const ingest = createIngestService(context, deps.ingestHooks ?? {});
  const views = createProgressViews(context, ingest);
  const customers = createCustomerAccess(context, views);

  const app = Fastify({
    logger: deps.logger ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('jiedian', { config, database, context, ingest, views, customers } satisfies Services);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Jiedian (接电) API', version: '1.0.0', description: 'Connection-progress service: sync, progress, hurry, staff, chat.' },
      components: {
        securitySchemes: {
          syncToken: { type: 'http', scheme: 'bearer', description: 'SYNC_TOKEN' },
          viewToken: { type: 'http', scheme: 'bearer', description: 'viewToken from POST /api/v1/progress/query' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(operationsRoutes);
  await app.register(syncRoutes, { prefix: '/api/v1/sync' });
  await app.register(progressRoutes, { prefix: '/api/v1' });
  return app;
}

export type JiedianApp = Awaited<ReturnType<typeof buildApp>>;
