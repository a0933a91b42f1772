// Sync API (API.md §1): the marketing system pushes handlers, applications and step events.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { timingSafeEqual, createHash } from 'node:crypto';
import Type from 'typebox';
import { unauthorized } from '../errors.ts';
import {
  ApplicationBody,
  ApplicationParams,
  BatchResult,
  EventBatchBody,
  HandlerBody,
  HandlerParams,
  HandlerView,
} from '../schemas/sync.ts';
import { ProgressViewSchema } from '../schemas/progress.ts';
import { ErrorSchema } from '../schemas/error.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests so neither the secret's content nor its length leaks through timing. */
export function secretMatches(presented: string, secret: string): boolean {
  return timingSafeEqual(digest(presented), digest(secret));
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  return secretMatches(header?.startsWith('Bearer ') ? header.slice(7) : '', token);
}

const errors = { 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema };

const syncRoutes: FastifyPluginAsyncTypebox<{ syncToken: string }> = async (app, { syncToken }) => {
  const { ingest, views } = app.applications;

  app.addHook('onRequest', async (request) => {
    if (!bearerMatches(request.headers.authorization, syncToken)) throw unauthorized('missing or invalid sync token');
  });

  app.put(
    '/handlers/:handlerId',
    {
      schema: {
        tags: ['sync'],
        summary: 'Create or update a handler and their team',
        security: [{ syncToken: [] }],
        params: HandlerParams,
        body: HandlerBody,
        response: { 200: Type.Object({ handler: HandlerView }), ...errors },
      },
    },
    async (request) => ({ handler: await ingest.upsertHandler(request.params.handlerId, request.body) }),
  );

  app.put(
    '/applications/:applicationNo',
    {
      schema: {
        tags: ['sync'],
        summary: 'Create or update an application (an identical body changes nothing)',
        security: [{ syncToken: [] }],
        params: ApplicationParams,
        body: ApplicationBody,
        response: { 200: Type.Object({ application: ProgressViewSchema }), 201: Type.Object({ application: ProgressViewSchema }), ...errors },
      },
    },
    async (request, reply) => {
      const { applicationNo } = request.params;
      const { created } = await ingest.upsertApplication(applicationNo, request.body);
      return reply.code(created ? 201 : 200).send({ application: (await views.staffView(applicationNo))! });
    },
  );

  app.post(
    '/events',
    {
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['sync'],
        summary: 'Push a batch of step events (1–1000); each is judged on its own',
        security: [{ syncToken: [] }],
        body: EventBatchBody,
        response: { 200: BatchResult, ...errors },
      },
    },
    async (request) => ingest.ingestEvents(request.body.events),
  );
};

export default syncRoutes;
