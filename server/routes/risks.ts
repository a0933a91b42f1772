// Complaint-risk items (投诉风险预警) for staff: one item with its signals and audit trail, and closing it with a
// handling note. The queue (GET /staff/queue) and the application view carry the items too.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatInstant } from '../domain/dates.ts';
import { JiedianError } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { CloseRiskBody, ExposureQuery, ExposureReply, RiskDetailReply, RiskIdParams, RiskReply, RiskStatsQuery, RiskStatsReply } from '../schemas/risks.ts';
import { riskStatsCsv } from '../domain/risk-stats.ts';
import { invalid } from '../errors.ts';
import type { FastifyReply } from 'fastify';
import { staffSees } from '../staff/staff-topics.ts';
import type { RiskService } from '../risks/risk-items.ts';
import type { RiskStats } from '../risks/risk-stats.ts';
import type { ExposureReportService } from '../risks/exposure-report.ts';

export interface RiskRoutesOptions {
  timeZone: string;
  risks: Pick<RiskService, 'item' | 'view' | 'auditOf' | 'close'>;
  stats: RiskStats;
  exposure: Pick<ExposureReportService, 'report'>;
}

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

const riskRoutes: FastifyPluginAsyncTypebox<RiskRoutesOptions> = async (app, { timeZone, risks, stats, exposure }) => {
  const principalOf = (request: import('fastify').FastifyRequest) => app.staff.auth.authenticate(request);

  app.get(
    '/staff/risks/:id',
    {
      schema: { tags: ['staff'], summary: 'A risk item with its signals and audit trail', security: [{ staffToken: [] }], params: RiskIdParams, response: { 200: RiskDetailReply, ...errors } },
    },
    async (request) => {
      const principal = await principalOf(request);
      const found = await risks.item(request.params.id);
      if (!found || !staffSees(principal, found)) throw new JiedianError('JD_NOT_FOUND', `no risk item ${request.params.id} visible to you`);
      return {
        risk: await risks.view(found),
        audit: (await risks.auditOf(found.id)).map((a) => ({ action: a.action, actor: a.actor, at: formatInstant(a.at, timeZone), detail: a.detail })),
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
    async (request) => ({ risk: await risks.close(await principalOf(request), request.params.id, request.body.note) }),
  );

  app.get(
    '/stats/risk',
    {
      schema: {
        tags: ['staff'],
        summary: 'Risk items by tier and signal, median time to close, satisfaction and repeat contacts per team or handler',
        description: 'A team lead sees their team, an admin all, a handler their own. format=csv answers text/csv (UTF-8 with a BOM, Chinese header row).',
        security: [{ staffToken: [] }],
        querystring: RiskStatsQuery,
        response: { 200: RiskStatsReply, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request, reply) => {
      const who = await principalOf(request);
      const { from, to, groupBy, format } = request.query;
      if (from > to) throw invalid('querystring.from must not be after querystring.to');
      const rows = await stats.rows(who, { from, to, groupBy });
      if (format !== 'csv') return { rows };
      return (reply as FastifyReply)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="risk-${groupBy}-${from}-${to}.csv"`)
        .send(riskStatsCsv(rows));
    },
  );

  app.get(
    '/stats/exposure',
    {
      schema: {
        tags: ['staff'],
        summary: "A month's exposure report (曝光台): each team's urgent items, satisfaction and tier, and the worst cases",
        description: 'Teams are listed once the report is made (the 1st of the next month, 09:00). Team leads and admins only.',
        security: [{ staffToken: [] }],
        querystring: ExposureQuery,
        response: { 200: ExposureReply, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request) => {
      const who = await principalOf(request);
      if (who.role === 'handler') throw new JiedianError('JD_FORBIDDEN', 'the exposure report is for team leads and admins');
      return exposure.report(request.query.month);
    },
  );
};

export default riskRoutes;
