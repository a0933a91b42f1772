// Complaint risk's store (server/risks/risk-store.ts) on PostgreSQL: the same questions as db/sqlite/risk-store.ts.
// Several instances write at once here: `lockApplication` takes the application's row lock (FOR UPDATE), so two
// signals or two ratings about one application are judged one after the other, and item numbering takes a
// transaction-scoped advisory lock, so two items opened at once never get the same reference.
import { and, asc, desc, eq, gte, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { applications, exposureMonths, handlers, ratings, riskAudit, riskItems, riskSignals, teams } from './schema/index.ts';
import type { StaffScope } from '../../server/staff/staff-accounts.ts';
import type { RiskRuleName } from '../../server/domain/risk.ts';
import type { RiskSignal, RiskStore } from '../../server/risks/risk-store.ts';

type SignalRow = typeof riskSignals.$inferSelect;

const signalOf = (row: SignalRow): RiskSignal => ({ ...row, rules: JSON.parse(row.rules) as RiskRuleName[] });

/** the advisory lock key of risk item numbering (the bytes of "jdriskno") */
export const RISK_NUMBERING_LOCK_KEY = 0x6a647269736b6e6fn;

export function createPostgresRiskStore(db: PgExecutor): RiskStore {
  function scope(who: StaffScope): SQL | undefined {
    if (who.role === 'admin') return undefined;
    // an item with no known team is for every team lead
    if (who.role === 'team_lead') return or(eq(riskItems.teamId, who.teamId), isNull(riskItems.teamId));
    return eq(riskItems.handlerId, who.handlerId);
  }
  const first = <T>(rows: T[]): T | null => rows[0] ?? null;

  return {
    async lockApplication(applicationNo) {
      await db.select({ no: applications.applicationNo }).from(applications).where(eq(applications.applicationNo, applicationNo)).for('update');
    },

    item: async (id) => first(await db.select().from(riskItems).where(eq(riskItems.id, id))),
    itemOfApplication: async (applicationNo) => first(await db.select().from(riskItems).where(eq(riskItems.applicationNo, applicationNo))),
    async insertItem(item) {
      await db.insert(riskItems).values(item);
    },
    async updateItem(id, change) {
      await db.update(riskItems).set(change).where(eq(riskItems.id, id));
    },
    async countItemsSince(from) {
      await db.execute(sql`SELECT pg_advisory_xact_lock(${RISK_NUMBERING_LOCK_KEY.toString()}::bigint)`);
      return (await db.select({ n: sql<number>`count(*)::int` }).from(riskItems).where(gte(riskItems.openedAt, from)))[0]?.n ?? 0;
    },
    queue: async (who, closedSince) =>
      db
        .select()
        .from(riskItems)
        .where(and(scope(who), or(eq(riskItems.status, 'open'), gte(riskItems.closedAt, closedSince))))
        .orderBy(
          sql`${riskItems.status} = 'closed'`,
          sql`CASE ${riskItems.tier} WHEN 'urgent' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END`,
          asc(riskItems.raisedAt),
          asc(riskItems.id),
        ),
    textsDue: async (now) => db.select().from(riskItems).where(and(isNotNull(riskItems.textAt), lte(riskItems.textAt, now))).orderBy(asc(riskItems.id)),
    overdueBelowUrgent: async (now) =>
      db
        .select()
        .from(riskItems)
        .where(and(eq(riskItems.status, 'open'), isNotNull(riskItems.handleBy), lt(riskItems.handleBy, now), sql`${riskItems.tier} <> 'urgent'`))
        .orderBy(asc(riskItems.id)),
    openCount: async () =>
      db.select({ tier: riskItems.tier, n: sql<number>`count(*)::int` }).from(riskItems).where(eq(riskItems.status, 'open')).groupBy(riskItems.tier).orderBy(asc(riskItems.tier)),

    insertSignal: async (signal) =>
      (await db
        .insert(riskSignals)
        .values({ ...signal, rules: JSON.stringify(signal.rules) })
        .returning({ id: riskSignals.id }))[0]!.id,
    async attachSignal(id, itemId) {
      await db.update(riskSignals).set({ itemId }).where(eq(riskSignals.id, id));
    },
    signalsOfApplication: async (applicationNo) =>
      (await db.select().from(riskSignals).where(eq(riskSignals.applicationNo, applicationNo)).orderBy(asc(riskSignals.at), asc(riskSignals.id))).map(signalOf),
    signalsOfItem: async (itemId) => (await db.select().from(riskSignals).where(eq(riskSignals.itemId, itemId)).orderBy(asc(riskSignals.at), asc(riskSignals.id))).map(signalOf),

    async audit(itemId, action, actor, at, detail = null) {
      await db.insert(riskAudit).values({ itemId, action, actor, at, detail });
    },
    auditOf: async (itemId) =>
      db.select({ action: riskAudit.action, actor: riskAudit.actor, at: riskAudit.at, detail: riskAudit.detail }).from(riskAudit).where(eq(riskAudit.itemId, itemId)).orderBy(asc(riskAudit.id)),

    limitRisksDue: async (now) =>
      (
        await db
          .select({ applicationNo: applications.applicationNo })
          .from(applications)
          .where(and(isNotNull(applications.riskLimitAt), lte(applications.riskLimitAt, now)))
          .orderBy(asc(applications.applicationNo))
      ).map((r) => r.applicationNo),
    async clearLimitRisk(applicationNo) {
      await db.update(applications).set({ riskLimitAt: null }).where(eq(applications.applicationNo, applicationNo));
    },
    applicationOfPhone: async (phone) =>
      first(
        await db
          .select({ applicationNo: applications.applicationNo })
          .from(applications)
          .where(eq(applications.phone, phone))
          .orderBy(sql`${applications.status} = 'active' DESC`, desc(applications.acceptedAt), asc(applications.applicationNo))
          .limit(1),
      )?.applicationNo ?? null,

    rating: async (applicationNo) => first(await db.select().from(ratings).where(eq(ratings.applicationNo, applicationNo))),
    askRating: async (asked) => (await db.insert(ratings).values(asked).onConflictDoNothing().returning({ applicationNo: ratings.applicationNo })).length === 1,
    async answerRating(applicationNo, answer) {
      await db.update(ratings).set(answer).where(eq(ratings.applicationNo, applicationNo));
    },
    ratingsOfPhone: async (phone) =>
      (
        await db
          .select({ applicationNo: ratings.applicationNo })
          .from(ratings)
          .innerJoin(applications, eq(applications.applicationNo, ratings.applicationNo))
          .where(eq(applications.phone, phone))
          .orderBy(desc(ratings.askedAt), asc(ratings.applicationNo))
      ).map((r) => r.applicationNo),

    itemsOpenedIn: async (from, to) => db.select().from(riskItems).where(and(gte(riskItems.openedAt, from), lt(riskItems.openedAt, to))).orderBy(asc(riskItems.id)),
    signalsIn: async (from, to) =>
      (await db.select().from(riskSignals).where(and(gte(riskSignals.at, from), lt(riskSignals.at, to))).orderBy(asc(riskSignals.at), asc(riskSignals.id))).map(signalOf),
    urgentItemsIn: async (from, to) =>
      db
        .selectDistinct({ itemId: sql<string>`${riskSignals.itemId}`, teamId: riskSignals.teamId })
        .from(riskSignals)
        .where(and(gte(riskSignals.at, from), lt(riskSignals.at, to), eq(riskSignals.tier, 'urgent'), isNotNull(riskSignals.itemId)))
        .orderBy(sql`${riskSignals.itemId}`, asc(riskSignals.teamId)),
    ratingsAskedIn: async (from, to) => db.select().from(ratings).where(and(gte(ratings.askedAt, from), lt(ratings.askedAt, to))).orderBy(asc(ratings.applicationNo)),
    ratingsGivenIn: async (from, to) => db.select().from(ratings).where(and(gte(ratings.ratedAt, from), lt(ratings.ratedAt, to))).orderBy(asc(ratings.applicationNo)),
    teams: async () => db.select({ id: teams.id, name: teams.name }).from(teams).orderBy(asc(teams.id)),
    admins: async () => db.select({ id: handlers.id, name: handlers.name, phone: handlers.phone }).from(handlers).where(eq(handlers.role, 'admin')).orderBy(asc(handlers.id)),

    exposureRows: async (month) => db.select().from(exposureMonths).where(eq(exposureMonths.month, month)).orderBy(asc(exposureMonths.teamId)),
    exposureHistory: async (teamId, beforeMonth, months) =>
      db
        .select()
        .from(exposureMonths)
        .where(and(eq(exposureMonths.teamId, teamId), lt(exposureMonths.month, beforeMonth)))
        .orderBy(desc(exposureMonths.month))
        .limit(months),
    insertExposure: async (row) => (await db.insert(exposureMonths).values(row).onConflictDoNothing().returning({ month: exposureMonths.month })).length === 1,
  };
}
