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

const operationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, metrics, config } = app.jiedian;

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
        if (config.metricsToken !== null && bearerMatches(request.headers.authorization, config.metricsToken)) return;
        throw unauthorized(config.metricsToken === null ? 'metrics are served to this machine only (set METRICS_TOKEN to allow others)' : 'missing or invalid metrics token');
      },
    },
    async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  );

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and database reachability',
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok') }), 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      try {
        database.sqlite.prepare('SELECT 1').get();
        return { status: 'ok' as const, database: 'ok' as const };
      } catch (error) {
        request.log.error({ err: error }, 'database unreachable');
        return reply.code(503).send({ statusCode: 503, code: 'JD_INTERNAL', error: 'Service Unavailable', message: 'database unreachable' });
      }
    },
  );
};

export default operationsRoutes;
