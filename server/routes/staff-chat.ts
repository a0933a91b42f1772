// Staff side of the chatbot: the knowledge base (team leads and admins edit it) and closing consults.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { JiedianError } from '../errors.ts';
import {
  CloseConsultBody,
  ConsultIdParams,
  ConsultReply,
  KnowledgeEntryReply,
  KnowledgeIdParams,
  KnowledgeListReply,
  KnowledgePutBody,
} from '../schemas/chat.ts';
import { ErrorSchema } from '../schemas/error.ts';
import type { StaffPrincipal } from '../staff/staff-accounts.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

const staffChatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { knowledge, consults } = app.chat;
  const { auth } = app.staff;

  /** Team leads and admins only: the knowledge base answers every customer. */
  const editor = async (request: FastifyRequest): Promise<StaffPrincipal> => {
    const who = await auth.authenticate(request);
    if (who.role !== 'team_lead' && who.role !== 'admin') throw new JiedianError('JD_FORBIDDEN', 'only team leads and admins edit the knowledge base');
    return who;
  };

  app.get(
    '/staff/knowledge-base',
    { schema: { tags: ['staff'], summary: 'Every knowledge-base entry', security: [{ staffToken: [] }], response: { 200: KnowledgeListReply, ...errors } } },
    async (request) => {
      await editor(request);
      return { entries: await knowledge.list() };
    },
  );

  app.get(
    '/staff/knowledge-base/:id',
    { schema: { tags: ['staff'], summary: 'One knowledge-base entry', security: [{ staffToken: [] }], params: KnowledgeIdParams, response: { 200: KnowledgeEntryReply, ...errors } } },
    async (request) => {
      await editor(request);
      return { entry: await knowledge.get(request.params.id) };
    },
  );

  app.put(
    '/staff/knowledge-base/:id',
    {
      schema: {
        tags: ['staff'],
        summary: 'Add (201) or replace (200) a knowledge-base entry; the chatbot answers from it at once',
        description: 'An entry edited here is no longer refreshed from catalog/knowledge-base.json at start.',
        security: [{ staffToken: [] }],
        params: KnowledgeIdParams,
        body: KnowledgePutBody,
        response: { 200: KnowledgeEntryReply, 201: KnowledgeEntryReply, ...errors },
      },
    },
    async (request, reply) => {
      const who = await editor(request);
      const { question, answer, variants = [], keywords = [] } = request.body;
      const { entry, created } = await knowledge.put(request.params.id, { question, answer, variants, keywords }, who.handlerId);
      return reply.code(created ? 201 : 200).send({ entry });
    },
  );

  app.post(
    '/staff/consults/:id/close',
    {
      schema: {
        tags: ['staff'],
        summary: 'Close a consult (转人工) once the customer has been helped',
        security: [{ staffToken: [] }],
        params: ConsultIdParams,
        body: CloseConsultBody,
        response: { 200: ConsultReply, ...errors },
      },
    },
    async (request) => ({ consult: await consults.close(await auth.authenticate(request), request.params.id, request.body?.note?.trim() || null) }),
  );
};

export default staffChatRoutes;
