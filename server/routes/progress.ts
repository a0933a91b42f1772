// Customer progress API (API.md §2): query with account number and query code, then read by view token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApplicationReply, QueryBody, QueryReply } from '../schemas/progress.ts';
import { ApplicationParams } from '../schemas/sync.ts';
import { ErrorSchema } from '../schemas/error.ts';

const progressRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { customers } = app.jiedian;

  app.post(
    '/progress/query',
    {
      schema: {
        tags: ['customers'],
        summary: 'Exchange account number + query code for a 15-minute view token and the account\'s applications',
        body: QueryBody,
        response: { 200: QueryReply, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (request) => customers.query(request.body.accountNo, request.body.queryCode, request.ip),
  );

  app.get(
    '/progress/:applicationNo',
    {
      schema: {
        tags: ['customers'],
        summary: 'Read one application with a view token',
        security: [{ viewToken: [] }],
        params: ApplicationParams,
        response: { 200: ApplicationReply, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => ({ application: customers.read(customers.claims(request.headers.authorization), request.params.applicationNo) }),
  );
};

export default progressRoutes;
