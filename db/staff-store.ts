// Queries over handlers as staff accounts, and hurry requests with their audit trail.
import { and, asc, desc, eq, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import { handlers, hurries, hurryAudit, teams } from './schema/index.ts';
import type { StaffScope } from '../server/staff/staff-accounts.ts';

export type { StaffScope };

export type HurryRow = typeof hurries.$inferSelect;

export function createStaffStore(db: Db) {
  function hurryScope(scope: StaffScope): SQL | undefined {
    if (scope.role === 'admin') return undefined;
    // a request with no known team (no handler, no account manager) is for every team lead
    if (scope.role === 'team_lead') return or(eq(hurries.teamId, scope.teamId), isNull(hurries.teamId));
    return eq(hurries.handlerId, scope.handlerId);
  }

  return {
    passwordHash: (handlerId: string) =>
      db.select({ hash: handlers.passwordHash }).from(handlers).where(eq(handlers.id, handlerId)).get()?.hash ?? null,
    setPasswordHash: (handlerId: string, hash: string) =>
      db.update(handlers).set({ passwordHash: hash }).where(eq(handlers.id, handlerId)).run().changes === 1,
    teamLeads: (teamId: string) =>
      db
        .select({ id: handlers.id, name: handlers.name, phone: handlers.phone })
        .from(handlers)
        .where(and(eq(handlers.teamId, teamId), eq(handlers.role, 'team_lead')))
        .all(),
    /** every team's leads: who a hurry with no known team goes to */
    allTeamLeads: () =>
      db.select({ id: handlers.id, name: handlers.name, phone: handlers.phone, teamId: handlers.teamId }).from(handlers).where(eq(handlers.role, 'team_lead')).orderBy(asc(handlers.id)).all(),
    teamName: (teamId: string) => db.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId)).get()?.name ?? null,

    insertHurry: (row: typeof hurries.$inferInsert) => db.insert(hurries).values(row).run(),
    updateHurry: (id: string, fields: Partial<typeof hurries.$inferInsert>) => db.update(hurries).set(fields).where(eq(hurries.id, id)).run(),
    hurry: (id: string) => db.select().from(hurries).where(eq(hurries.id, id)).get(),
    latestHurry: (applicationNo: string, stepCode: string) =>
      db
        .select()
        .from(hurries)
        .where(and(eq(hurries.applicationNo, applicationNo), eq(hurries.stepCode, stepCode)))
        .orderBy(desc(hurries.createdAt), desc(hurries.id))
        .limit(1)
        .get(),
    hurriesOfApplication: (applicationNo: string) =>
      db.select().from(hurries).where(eq(hurries.applicationNo, applicationNo)).orderBy(desc(hurries.createdAt)).all(),
    /** The queue: unanswered first, oldest first; answered ones of the last `answeredSince` after them. */
    hurryQueue(scope: StaffScope, answeredSince: number): HurryRow[] {
      return db
        .select()
        .from(hurries)
        .where(and(hurryScope(scope), or(ne(hurries.status, 'answered'), sql`${hurries.answeredAt} >= ${answeredSince}`)))
        .orderBy(sql`${hurries.status} = 'answered'`, asc(hurries.createdAt))
        .all();
    },
    /** Unacknowledged requests whose escalation time has come. */
    hurriesToEscalate: (now: number) =>
      db.select().from(hurries).where(and(eq(hurries.status, 'open'), lte(hurries.escalateAt, now))).all(),
    countHurriesToday: (from: number) =>
      db.select({ n: sql<number>`count(*)` }).from(hurries).where(sql`${hurries.createdAt} >= ${from}`).get()?.n ?? 0,
    openHurryCount: () =>
      db.select({ n: sql<number>`count(*)` }).from(hurries).where(inArray(hurries.status, ['open', 'acknowledged', 'escalated'])).get()?.n ?? 0,
    audit: (hurryId: string, action: (typeof hurryAudit.$inferInsert)['action'], actor: string, at: number, detail: string | null = null) =>
      db.insert(hurryAudit).values({ hurryId, action, actor, at, detail }).run(),
    auditOf: (hurryId: string) => db.select().from(hurryAudit).where(eq(hurryAudit.hurryId, hurryId)).orderBy(asc(hurryAudit.id)).all(),
  };
}

export type StaffStore = ReturnType<typeof createStaffStore>;
