// Hurries' store (server/hurries/hurry-store.ts) on SQLite: hurry requests and their audit trail.
import { and, asc, desc, eq, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { hurries, hurryAudit } from '../schema/index.ts';
import type { StaffScope } from '../../server/staff/staff-accounts.ts';
import type { Hurry, HurryStore } from '../../server/hurries/hurry-store.ts';

type Row = typeof hurries.$inferSelect;

const hurryOf = (row: Row): Hurry => ({ ...row, escalationReason: row.escalationReason as Hurry['escalationReason'] });
const hurryOrNull = (row: Row | undefined): Hurry | null => (row ? hurryOf(row) : null);

export function createSqliteHurryStore(db: Db): HurryStore {
  function scope(who: StaffScope): SQL | undefined {
    if (who.role === 'admin') return undefined;
    // a request with no known team (no handler, no account manager) is for every team lead
    if (who.role === 'team_lead') return or(eq(hurries.teamId, who.teamId), isNull(hurries.teamId));
    return eq(hurries.handlerId, who.handlerId);
  }

  return {
    byId: async (id) => hurryOrNull(db.select().from(hurries).where(eq(hurries.id, id)).get()),
    latestOnStep: async (applicationNo, stepCode) =>
      hurryOrNull(
        db
          .select()
          .from(hurries)
          .where(and(eq(hurries.applicationNo, applicationNo), eq(hurries.stepCode, stepCode)))
          .orderBy(desc(hurries.createdAt), desc(hurries.id))
          .limit(1)
          .get(),
      ),
    ofApplication: async (applicationNo) => db.select().from(hurries).where(eq(hurries.applicationNo, applicationNo)).orderBy(desc(hurries.createdAt)).all().map(hurryOf),
    queue: async (who, answeredSince) =>
      db
        .select()
        .from(hurries)
        .where(and(scope(who), or(ne(hurries.status, 'answered'), sql`${hurries.answeredAt} >= ${answeredSince}`)))
        .orderBy(sql`${hurries.status} = 'answered'`, asc(hurries.createdAt))
        .all()
        .map(hurryOf),
    openDueBy: async (now) => db.select().from(hurries).where(and(eq(hurries.status, 'open'), lte(hurries.escalateAt, now))).all().map(hurryOf),
    countCreatedSince: async (from) => db.select({ n: sql<number>`count(*)` }).from(hurries).where(sql`${hurries.createdAt} >= ${from}`).get()?.n ?? 0,
    openCount: async () =>
      db.select({ n: sql<number>`count(*)` }).from(hurries).where(inArray(hurries.status, ['open', 'acknowledged', 'escalated'])).get()?.n ?? 0,
    async insert(hurry) {
      db.insert(hurries).values({ ...hurry, status: 'open', count: 1, lastHurriedAt: hurry.createdAt }).run();
    },
    async update(id, change) {
      db.update(hurries).set(change).where(eq(hurries.id, id)).run();
    },
    async audit(hurryId, action, actor, at, detail = null) {
      db.insert(hurryAudit).values({ hurryId, action, actor, at, detail }).run();
    },
    auditOf: async (hurryId) =>
      db.select({ action: hurryAudit.action, actor: hurryAudit.actor, at: hurryAudit.at, detail: hurryAudit.detail }).from(hurryAudit).where(eq(hurryAudit.hurryId, hurryId)).orderBy(asc(hurryAudit.id)).all(),
  };
}
