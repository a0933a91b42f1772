// Operations (API.md §6): health and metrics.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorSchema } from '../schemas/error.ts';

const operationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, metrics } = app.jiedian;

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', produces: ['text/plain'] } },
    async (_request, reply) => reply.type('text/plain; version=0.0.4').send(metrics.render()),
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
