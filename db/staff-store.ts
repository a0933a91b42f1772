// Queries over handlers as staff accounts: passwords, team leads, team names.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './client.ts';
import { handlers, teams } from './schema/index.ts';
import type { StaffScope } from '../server/staff/staff-accounts.ts';

export type { StaffScope };

export function createStaffStore(db: Db) {
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
  };
}

export type StaffStore = ReturnType<typeof createStaffStore>;
