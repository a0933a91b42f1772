// The monthly exposure report (曝光台): on the 1st at 09:00 every team lead and admin gets last month's teams at risk
// with their tier (点名预警 → 约谈整改 → 现场办公会 for one, two, three months in a row over the bound) and the worst
// cases with their handling notes. Runs on the sweeper's timer; each month is reported once (exposure_months).
import { calendarDateOf, startOfDay, type CalendarDate } from '../domain/dates.ts';
import type { MonthlyReportVariables } from '../domain/notices.ts';
import { exposureTier, exposureTierNames, monthlyBreaches, riskTierNames, tierRank, type ExposureTier, type RiskRules, type RiskTier } from '../domain/risk.ts';
import type { Stores, Transact } from '../stores.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { NoticeWriter } from '../notices/writer.ts';

/** The report goes out at this local time on the 1st. */
export const MONTHLY_REPORT_MINUTE = 9 * 60;

export interface ExposureTeamRow {
  teamId: string;
  teamName: string;
  urgentItems: number;
  ratings: number;
  satisfaction: number | null;
  breached: boolean;
  tier: ExposureTier | null;
  tierName: string | null;
}

export interface ExposureReport {
  month: string;
  teams: ExposureTeamRow[];
  worstCases: { id: string; applicationNo: string; teamId: string | null; teamName: string | null; tier: RiskTier; tierName: string; signals: number; note: string | null; status: string }[];
}

/** YYYY-MM → the month before. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

const firstOf = (month: string): CalendarDate => `${month}-01` as CalendarDate;

export function createExposureReport(deps: { ctx: ServiceContext; stores: Stores; transact: Transact; notices: NoticeWriter; rules: RiskRules; wakeDispatcher: () => void }) {
  const { ctx, notices, rules } = deps;
  const monthStart = (month: string) => startOfDay(firstOf(month), ctx.timeZone);
  const monthEnd = (month: string) => startOfDay(firstOf(nextMonth(month)), ctx.timeZone);
  function nextMonth(month: string): string {
    const [y, m] = month.split('-').map(Number) as [number, number];
    return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  }

  /** The worst items of the month: highest tier, then most signals, then oldest. */
  async function worstCases(risks: Stores['risks'], month: string): Promise<ExposureReport['worstCases']> {
    const from = monthStart(month);
    const to = monthEnd(month);
    const signals = (await risks.signalsIn(from, to)).filter((s) => s.itemId !== null);
    const perItem = new Map<string, number>();
    for (const s of signals) perItem.set(s.itemId!, (perItem.get(s.itemId!) ?? 0) + 1);
    const teamNames = await teamNamesOf(risks);
    const found = await Promise.all([...perItem].map(async ([id, count]) => ({ row: await risks.item(id), count })));
    return found
      .filter((x): x is { row: NonNullable<typeof x.row>; count: number } => x.row !== null)
      .sort((a, b) => tierRank(b.row.tier) - tierRank(a.row.tier) || b.count - a.count || a.row.openedAt - b.row.openedAt)
      .slice(0, rules.monthly.worstCases)
      .map(({ row, count }) => ({
        id: row.id,
        applicationNo: row.applicationNo,
        teamId: row.teamId,
        teamName: row.teamId ? (teamNames.get(row.teamId) ?? null) : null,
        tier: row.tier,
        tierName: riskTierNames[row.tier],
        signals: count,
        note: row.note,
        status: row.status,
      }));
  }

  const teamNamesOf = async (risks: Stores['risks']) => new Map((await risks.teams()).map((t) => [t.id, t.name]));

  async function teamRows(risks: Stores['risks'], month: string): Promise<ExposureTeamRow[]> {
    const teamNames = await teamNamesOf(risks);
    return (await risks.exposureRows(month)).map((r) => ({
      teamId: r.teamId,
      teamName: teamNames.get(r.teamId) ?? r.teamId,
      urgentItems: r.urgentItems,
      ratings: r.ratings,
      satisfaction: r.satisfaction,
      breached: r.breached,
      tier: r.tier as ExposureTier | null,
      tierName: r.tier ? exposureTierNames[r.tier as ExposureTier] : null,
    }));
  }

  const { transact } = deps;

  return {
    /** A month's report as kept (empty teams when it was not made yet). */
    async report(month: string): Promise<ExposureReport> {
      const { risks } = deps.stores;
      return { month, teams: await teamRows(risks, month), worstCases: await worstCases(risks, month) };
    },

    /**
     * Makes and sends last month's report once its time (the 1st, 09:00) has come. Returns how many people it went to
     * (0 when it is not time, or it went already).
     */
    async run(): Promise<number> {
      const now = ctx.clock.now();
      const month = calendarDateOf(now, ctx.timeZone).slice(0, 7);
      if (now < monthStart(month) + MONTHLY_REPORT_MINUTE * 60_000) return 0;
      const reported = previousMonth(month);
      const sent = await transact(async (stores) => {
        const { risks, staff } = stores;
        // a month is reported once: the first instance to insert its rows sends it, another finds them and stops
        if ((await risks.exposureRows(reported)).length > 0) return 0;
        const from = monthStart(reported);
        const to = monthEnd(reported);
        const urgent = new Map<string, number>();
        for (const { teamId } of await risks.urgentItemsIn(from, to)) if (teamId) urgent.set(teamId, (urgent.get(teamId) ?? 0) + 1);
        const scores = new Map<string, number[]>();
        for (const r of await risks.ratingsGivenIn(from, to)) if (r.teamId && r.score !== null) scores.set(r.teamId, [...(scores.get(r.teamId) ?? []), r.score]);
        const teams = await risks.teams();
        if (teams.length === 0) return 0;
        for (const team of teams) {
          const given = scores.get(team.id) ?? [];
          const satisfaction = given.length === 0 ? null : Math.round((given.reduce((a, b) => a + b, 0) / given.length) * 100) / 100;
          const urgentItems = urgent.get(team.id) ?? 0;
          const breached = monthlyBreaches({ urgentItems, ratings: given.length, satisfaction }, rules).length > 0;
          // the months before, newest first, as long as they follow on without a gap
          const history: boolean[] = [];
          let expected = previousMonth(reported);
          for (const row of await risks.exposureHistory(team.id, reported, 2)) {
            if (row.month !== expected) break;
            history.push(row.breached);
            expected = previousMonth(expected);
          }
          const tier = breached ? exposureTier([true, ...history]) : null;
          // another instance making the same month at once: its rows stand, and it sends the report
          if (!(await risks.insertExposure({ month: reported, teamId: team.id, urgentItems, ratings: given.length, satisfaction, breached, tier, createdAt: now }))) return 0;
        }
        const atRisk = (await teamRows(risks, reported)).filter((t) => t.tier !== null);
        const variables: MonthlyReportVariables = {
          month: reported,
          teams: atRisk.map((t) => ({ teamName: t.teamName, tierName: t.tierName!, urgentItems: t.urgentItems, satisfaction: t.satisfaction })),
          worstCases: (await worstCases(risks, reported)).map((c) => ({ applicationNo: c.applicationNo, teamName: c.teamName ?? '未指派', tierName: c.tierName, note: c.note })),
        };
        const recipients = [...(await staff.leads(null)).map((l) => ({ id: l.handlerId, phone: l.phone })), ...(await risks.admins())];
        for (const person of recipients) await notices.queue(stores, 'monthly_report', { kind: 'handler', handlerId: person.id, phone: person.phone, applicationNo: null }, variables);
        return recipients.length;
      });
      if (sent > 0) deps.wakeDispatcher();
      return sent;
    },
  };
}

export type ExposureReportService = ReturnType<typeof createExposureReport>;
