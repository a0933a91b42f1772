// Statistics for team leads and admins (API.md §3): timeliness per step, handler or team, as JSON or CSV.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { timelinessCsv } from '../domain/timeliness.ts';
import { invalid } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { TimelinessQuery, TimelinessReply } from '../schemas/stats.ts';
import type { TimelinessStats } from '../time-limits/timeliness.ts';

const statsRoutes: FastifyPluginAsyncTypebox<{ timeliness: TimelinessStats }> = async (app, options) => {
  const { auth } = app.staff;

  app.get(
    '/stats/timeliness',
    {
      schema: {
        tags: ['staff'],
        summary: 'Timeliness per step, handler or team over a date range; a team lead sees their team, an admin all',
        description: 'format=csv answers text/csv (UTF-8 with a BOM, header row) with the same columns as the JSON rows.',
        security: [{ staffToken: [] }],
        querystring: TimelinessQuery,
        response: { 200: TimelinessReply, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request, reply) => {
      const who = await auth.authenticate(request);
      const { from, to, groupBy, format, header } = request.query;
      if (from > to) throw invalid('querystring.from must not be after querystring.to');
      const rows = await options.timeliness.rows(who, { from, to, groupBy });
      if (format !== 'csv') return { rows };
      // A string with a non-JSON type skips the JSON serializer; the schema above describes the JSON form only.
      return (reply as FastifyReply)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="timeliness-${groupBy}-${from}-${to}.csv"`)
        .send(timelinessCsv(rows, header));
    },
  );
};

export default statsRoutes;
