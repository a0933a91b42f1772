// Staff accounts (server/staff/staff-accounts.ts) on SQLite: handlers as staff, their password hashes and team leads.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { handlers } from '../schema/index.ts';
import type { ApplicationStore } from '../../server/applications/application-store.ts';
import type { StaffAccounts } from '../../server/staff/staff-accounts.ts';
import type { HurryStore } from '../../server/hurries/hurry-store.ts';

export function createSqliteStaffAccounts(db: Db, applications: ApplicationStore, hurries: HurryStore): StaffAccounts {
  const lead = { handlerId: handlers.id, name: handlers.name, phone: handlers.phone, teamId: handlers.teamId };
  return {
    async member(handlerId) {
      const handler = await applications.handler(handlerId);
      if (!handler) return null;
      return { handlerId: handler.id, role: handler.role, teamId: handler.teamId, name: handler.name, teamName: handler.teamName, phone: handler.phone };
    },
    passwordHash: async (handlerId) => db.select({ hash: handlers.passwordHash }).from(handlers).where(eq(handlers.id, handlerId)).get()?.hash ?? null,
    setPasswordHash: async (handlerId, hash) => db.update(handlers).set({ passwordHash: hash }).where(eq(handlers.id, handlerId)).run().changes === 1,
    role: async (handlerId) => db.select({ role: handlers.role }).from(handlers).where(eq(handlers.id, handlerId)).get()?.role ?? null,
    setRole: async (handlerId, role) => db.update(handlers).set({ role }).where(eq(handlers.id, handlerId)).run().changes === 1,
    async workersOf(applicationNo) {
      const application = await applications.application(applicationNo);
      if (!application) return null;
      const ids = new Set((await applications.steps(applicationNo)).flatMap((s) => (s.handlerId ? [s.handlerId] : [])));
      if (application.accountManagerId) ids.add(application.accountManagerId);
      for (const hurry of await hurries.ofApplication(applicationNo)) if (hurry.handlerId) ids.add(hurry.handlerId);
      return Promise.all([...ids].map(async (handlerId) => ({ handlerId, teamId: (await applications.handler(handlerId))?.teamId ?? null })));
    },
    // every team's leads when the team is not known: who a hurry with no known team goes to
    leads: async (teamId) =>
      db
        .select(lead)
        .from(handlers)
        .where(teamId === null ? eq(handlers.role, 'team_lead') : and(eq(handlers.teamId, teamId), eq(handlers.role, 'team_lead')))
        .orderBy(asc(handlers.id))
        .all(),
  };
}
