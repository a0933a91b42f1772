// Operations (API.md §6): health and metrics.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
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
import type { Metrics } from '../services/metrics.ts';

export interface OperationsRoutesOptions {
  metrics: Metrics;
  /** METRICS_TOKEN: lets callers on other machines read /metrics */
  metricsToken: string | null;
  /** why the database takes no writes now, or null */
  writeProblem: () => Promise<string | null>;
}

const operationsRoutes: FastifyPluginAsyncTypebox<OperationsRoutesOptions> = async (app, { metrics, metricsToken, writeProblem }) => {

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
        summary: 'Liveness, and whether the database takes writes',
        description:
          '503 JD_UNAVAILABLE with the reason while writes fail (another process holds the write lock, the disk is full, the file is read-only); 200 again once a write succeeds.',
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok') }), 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const failure = await writeProblem();
      if (failure === null) return { status: 'ok' as const, database: 'ok' as const };
      request.log.warn({ reason: failure }, 'unhealthy: database writes fail');
      reply.header('retry-after', '5');
      return reply.code(503).send({ statusCode: 503, code: 'JD_UNAVAILABLE', error: 'Service Unavailable', message: failure });
    },
  );

};

export default operationsRoutes;
