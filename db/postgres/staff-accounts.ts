// Staff accounts (server/staff/staff-accounts.ts) on PostgreSQL.
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { StaffAccounts } from '../../server/staff/staff-accounts.ts';
import type { PgExecutor } from './client.ts';
import { applications, applicationSteps, handlers, hurries, teams } from './schema/index.ts';

export function createPostgresStaffAccounts(db: PgExecutor): StaffAccounts {
  return {
    async member(handlerId) {
      const [row] = await db
        .select({ handlerId: handlers.id, role: handlers.role, teamId: handlers.teamId, name: handlers.name, teamName: teams.name, phone: handlers.phone })
        .from(handlers)
        .innerJoin(teams, eq(teams.id, handlers.teamId))
        .where(eq(handlers.id, handlerId));
      return row ?? null;
    },
    async passwordHash(handlerId) {
      const [row] = await db.select({ hash: handlers.passwordHash }).from(handlers).where(eq(handlers.id, handlerId));
      return row?.hash ?? null;
    },
    async setPasswordHash(handlerId, hash) {
      const changed = await db.update(handlers).set({ passwordHash: hash }).where(eq(handlers.id, handlerId)).returning({ id: handlers.id });
      return changed.length === 1;
    },
    async role(handlerId) {
      const [row] = await db.select({ role: handlers.role }).from(handlers).where(eq(handlers.id, handlerId));
      return row?.role ?? null;
    },
    async setRole(handlerId, role) {
      const changed = await db.update(handlers).set({ role }).where(eq(handlers.id, handlerId)).returning({ id: handlers.id });
      return changed.length === 1;
    },
    async workersOf(applicationNo) {
      const [application] = await db.select({ accountManagerId: applications.accountManagerId }).from(applications).where(eq(applications.applicationNo, applicationNo));
      if (!application) return null;
      const [steps, hurried] = await Promise.all([
        db.select({ id: applicationSteps.handlerId }).from(applicationSteps).where(and(eq(applicationSteps.applicationNo, applicationNo), isNotNull(applicationSteps.handlerId))),
        db.select({ id: hurries.handlerId }).from(hurries).where(and(eq(hurries.applicationNo, applicationNo), isNotNull(hurries.handlerId))),
      ]);
      const ids = new Set(steps.map((s) => s.id!));
      if (application.accountManagerId) ids.add(application.accountManagerId);
      for (const h of hurried) ids.add(h.id!);
      if (ids.size === 0) return [];
      const known = new Map((await db.select({ id: handlers.id, teamId: handlers.teamId }).from(handlers).where(inArray(handlers.id, [...ids]))).map((h) => [h.id, h.teamId]));
      return [...ids].map((handlerId) => ({ handlerId, teamId: known.get(handlerId) ?? null }));
    },
    leads: async (teamId) =>
      db
        .select({ handlerId: handlers.id, name: handlers.name, phone: handlers.phone, teamId: handlers.teamId })
        .from(handlers)
        .where(and(eq(handlers.role, 'team_lead'), teamId === null ? undefined : eq(handlers.teamId, teamId)))
        .orderBy(asc(handlers.id)),
  };
}
