// Risk statistics (风险统计) over a date range, as the asking staff member may see them: a team lead their team, an
// admin everyone, a handler their own work.
import { endOfDay, startOfDay, type CalendarDate } from '../domain/dates.ts';
import { aggregateRiskStats, type RiskStatsGrouping, type RiskStatsRow } from '../domain/risk-stats.ts';
import type { Stores } from '../stores.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { StaffPrincipal } from '../staff/staff-accounts.ts';

const UNASSIGNED = '未指派';
/** items, signals and ratings of applications with no team (no handler known): an admin sees them in a row of their own */
const NO_TEAM = '无班组';
const CONTACTS = new Set(['hurry', 'consult', 'progress_question', 'complaint']);

export function createRiskStats(deps: { ctx: ServiceContext; stores: Stores }) {
  const { ctx } = deps;
  const { risks, applications } = deps.stores;

  function visible(who: StaffPrincipal, handlerId: string | null, teamId: string | null): boolean {
    if (who.role === 'admin') return true;
    if (who.role === 'team_lead') return teamId === who.teamId;
    return handlerId === who.handlerId;
  }

  return {
    async rows(who: StaffPrincipal, query: { from: CalendarDate; to: CalendarDate; groupBy: RiskStatsGrouping }): Promise<RiskStatsRow[]> {
      const from = startOfDay(query.from, ctx.timeZone);
      const to = endOfDay(query.to, ctx.timeZone) + 1;
      const items = (await risks.itemsOpenedIn(from, to)).filter((i) => visible(who, i.handlerId, i.teamId));
      const signals = (await risks.signalsIn(from, to)).filter((s) => visible(who, s.handlerId, s.teamId));
      const rated = new Map([...(await risks.ratingsAskedIn(from, to)), ...(await risks.ratingsGivenIn(from, to))].map((r) => [r.applicationNo, r]));
      const ratings = [...rated.values()].filter((r) => visible(who, r.handlerId, r.teamId));
      const keyOf = (handlerId: string | null, teamId: string | null) => (query.groupBy === 'team' ? teamId : handlerId) ?? '';
      const keys = new Set([...items, ...signals, ...ratings].map((row) => keyOf(row.handlerId, row.teamId)));
      keys.delete('');
      const found =
        query.groupBy === 'team'
          ? new Map((await risks.teams()).map((t) => [t.id, t.name]))
          : new Map(await Promise.all([...keys].map(async (id) => [id, (await applications.handler(id))?.name] as const)));
      const group = (handlerId: string | null, teamId: string | null) => {
        const key = keyOf(handlerId, teamId);
        const name = (key === '' ? null : found.get(key)) ?? (key || (query.groupBy === 'team' ? NO_TEAM : UNASSIGNED));
        return { key, name };
      };
      const itemRows = items.map((i) => ({ ...group(i.handlerId, i.teamId), tier: i.tier, openedAt: i.openedAt, closedAt: i.status === 'closed' ? i.closedAt : null }));
      const signalRows = signals.map((s) => ({ ...group(s.handlerId, s.teamId), rules: s.rules, contact: CONTACTS.has(s.kind) }));
      const ratingRows = ratings.map((r) => ({
        ...group(r.handlerId, r.teamId),
        asked: r.askedAt >= from && r.askedAt < to,
        answered: r.ratedAt !== null,
        score: r.ratedAt !== null && r.ratedAt >= from && r.ratedAt < to ? r.score : null,
      }));
      return aggregateRiskStats({ items: itemRows, signals: signalRows, ratings: ratingRows, groupBy: query.groupBy });
    },
  };
}

export type RiskStats = ReturnType<typeof createRiskStats>;
