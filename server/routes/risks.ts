// Complaint-risk items (投诉风险预警) for staff: one item with its signals and audit trail, and closing it with a
// handling note. The queue (GET /staff/queue) and the application view carry the items too.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatInstant } from '../domain/dates.ts';
import { JiedianError } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { CloseRiskBody, RiskDetailReply, RiskIdParams, RiskReply } from '../schemas/risks.ts';
import { staffSees } from '../services/staff-topics.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

const riskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { staffAuth, risks, config } = app.jiedian;
  const principalOf = (request: import('fastify').FastifyRequest) => staffAuth.authenticate(request);

  app.get(
    '/staff/risks/:id',
    {
      schema: { tags: ['staff'], summary: 'A risk item with its signals and audit trail', security: [{ staffToken: [] }], params: RiskIdParams, response: { 200: RiskDetailReply, ...errors } },
    },
    async (request) => {
      const principal = principalOf(request);
      const found = risks.item(request.params.id);
      if (!found || !staffSees(principal, found)) throw new JiedianError('JD_NOT_FOUND', `no risk item ${request.params.id} visible to you`);
      return {
        risk: risks.view(found),
        audit: risks.auditOf(found.id).map((a) => ({ action: a.action, actor: a.actor, at: formatInstant(a.at, config.timeZone), detail: a.detail })),
      };
    },
  );

  app.post(
    '/staff/risks/:id/close',
    {
      schema: {
        tags: ['staff'],
        summary: 'Close a risk item with a handling note (回访/处理说明): who called the customer and what was agreed',
        description: 'A new signal about the application reopens the item.',
        security: [{ staffToken: [] }],
        params: RiskIdParams,
        body: CloseRiskBody,
        response: { 200: RiskReply, ...errors },
      },
    },
    async (request) => ({ risk: risks.close(principalOf(request), request.params.id, request.body.note) }),
  );
};

export default riskRoutes;
