// Operations (API.md §6): health and metrics.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { ErrorSchema } from '../schemas/error.ts';
import { unauthorized } from '../errors.ts';
import { bearerMatches } from './sync.ts';

/**
 * A caller on this machine: a loopback peer that is not relaying someone else (a reverse proxy on the same host
 * connects from loopback too, and says so with a forwarding header).
 */
export function isLocalCaller(request: FastifyRequest): boolean {
  const peer = request.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || /^(::ffff:)?127\./.test(peer);
  const relayed = ['forwarded', 'x-forwarded-for', 'x-real-ip'].some((name) => request.headers[name] !== undefined);
  return loopback && !relayed;
}
import type { Metrics } from '../shared/metrics.ts';

export interface OperationsRoutesOptions {
  metrics: Metrics;
  /** METRICS_TOKEN: lets callers on other machines read /metrics */
  metricsToken: string | null;
  /** why the database takes no writes now, or null */
  writeProblem: () => Promise<string | null>;
  instance: () => InstanceReport;
}

const InstanceReport = Type.Object({
  databaseKind: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], { description: 'the database this instance runs on' }),
  leases: Type.Object(
    {
      sweeper: Type.Boolean({ description: 'this instance runs the timed jobs (time-limit sweep, plan refresh, digest) now' }),
      wechatBot: Type.Boolean({ description: 'this instance runs the Wechaty bot now' }),
    },
    { description: 'the work one instance of several does at a time, and whether this one holds it (on SQLite always true)' },
  ),
});
export type InstanceReport = Static<typeof InstanceReport>;

const operationsRoutes: FastifyPluginAsyncTypebox<OperationsRoutesOptions> = async (app, { metrics, metricsToken, writeProblem, instance }) => {

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description: 'For callers on this machine, or with `Authorization: Bearer <METRICS_TOKEN>` from elsewhere.',
        security: [{}, { metricsToken: [] }],
        produces: ['text/plain'],
      },
      onRequest: async (request) => {
        if (isLocalCaller(request)) return;
        if (metricsToken !== null && bearerMatches(request.headers.authorization, metricsToken)) return;
        throw unauthorized(metricsToken === null ? 'metrics are served to this machine only (set METRICS_TOKEN to allow others)' : 'missing or invalid metrics token');
      },
    },
    async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render()),
  );

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness, whether the database takes writes, and what this instance holds',
        description:
          '503 JD_UNAVAILABLE with the reason while writes fail (another process holds the write lock, the disk is full, the file is read-only, the PostgreSQL server is unreachable or a standby); 200 again once a write succeeds. The 200 body says which database this instance runs on and whether it holds the sweeper and the WeChat bot.',
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok'), ...InstanceReport.properties }), 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const failure = await writeProblem();
      if (failure === null) return { status: 'ok' as const, database: 'ok' as const, ...instance() };
      request.log.warn({ reason: failure }, 'unhealthy: database writes fail');
      reply.header('retry-after', '5');
      return reply.code(503).send({ statusCode: 503, code: 'JD_UNAVAILABLE', error: 'Service Unavailable', message: failure });
    },
  );

};

export default operationsRoutes;
