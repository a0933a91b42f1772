// Hurries' store (server/hurries/hurry-store.ts) on PostgreSQL: the same questions as db/sqlite/hurry-store.ts.
// Reference numbering (CB + date + the day's count) takes a transaction-scoped advisory lock, so two requests made at
// once on two instances never get the same number: the second counts once the first has committed.
import { and, asc, desc, eq, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { hurries, hurryAudit } from './schema/index.ts';
import type { StaffScope } from '../../server/staff/staff-accounts.ts';
import type { Hurry, HurryStore } from '../../server/hurries/hurry-store.ts';

type Row = typeof hurries.$inferSelect;

/** the advisory lock key of hurry reference numbering (the bytes of "jdhurrno") */
export const HURRY_NUMBERING_LOCK_KEY = 0x6a64687572726e6fn;

const hurryOf = (row: Row): Hurry => ({ ...row, escalationReason: row.escalationReason as Hurry['escalationReason'] });

export function createPostgresHurryStore(db: PgExecutor): HurryStore {
  function scope(who: StaffScope): SQL | undefined {
    if (who.role === 'admin') return undefined;
    // a request with no known team (no handler, no account manager) is for every team lead
    if (who.role === 'team_lead') return or(eq(hurries.teamId, who.teamId), isNull(hurries.teamId));
    return eq(hurries.handlerId, who.handlerId);
  }
  const first = (rows: Row[]) => (rows[0] ? hurryOf(rows[0]) : null);

  return {
    byId: async (id) => first(await db.select().from(hurries).where(eq(hurries.id, id))),
    latestOnStep: async (applicationNo, stepCode) =>
      first(
        await db
          .select()
          .from(hurries)
          .where(and(eq(hurries.applicationNo, applicationNo), eq(hurries.stepCode, stepCode)))
          .orderBy(desc(hurries.createdAt), desc(hurries.id))
          .limit(1),
      ),
    ofApplication: async (applicationNo) => (await db.select().from(hurries).where(eq(hurries.applicationNo, applicationNo)).orderBy(desc(hurries.createdAt))).map(hurryOf),
    queue: async (who, answeredSince) =>
      (
        await db
          .select()
          .from(hurries)
          .where(and(scope(who), or(ne(hurries.status, 'answered'), sql`${hurries.answeredAt} >= ${answeredSince}`)))
          .orderBy(sql`${hurries.status} = 'answered'`, asc(hurries.createdAt))
      ).map(hurryOf),
    openDueBy: async (now) => (await db.select().from(hurries).where(and(eq(hurries.status, 'open'), lte(hurries.escalateAt, now)))).map(hurryOf),
    async countCreatedSince(from) {
      await db.execute(sql`SELECT pg_advisory_xact_lock(${HURRY_NUMBERING_LOCK_KEY.toString()}::bigint)`);
      return (await db.select({ n: sql<number>`count(*)::int` }).from(hurries).where(sql`${hurries.createdAt} >= ${from}`))[0]?.n ?? 0;
    },
    openCount: async () =>
      (await db.select({ n: sql<number>`count(*)::int` }).from(hurries).where(inArray(hurries.status, ['open', 'acknowledged', 'escalated'])))[0]?.n ?? 0,
    async insert(hurry) {
      await db.insert(hurries).values({ ...hurry, status: 'open', count: 1, lastHurriedAt: hurry.createdAt });
    },
    async update(id, change) {
      await db.update(hurries).set(change).where(eq(hurries.id, id));
    },
    async audit(hurryId, action, actor, at, detail = null) {
      await db.insert(hurryAudit).values({ hurryId, action, actor, at, detail });
    },
    auditOf: async (hurryId) =>
      db.select({ action: hurryAudit.action, actor: hurryAudit.actor, at: hurryAudit.at, detail: hurryAudit.detail }).from(hurryAudit).where(eq(hurryAudit.hurryId, hurryId)).orderBy(asc(hurryAudit.id)),
  };
}
