// Staff accounts (server/staff/staff-accounts.ts) on SQLite.
import type { ApplicationStore } from '../application-store.ts';
import type { StaffStore } from '../staff-store.ts';
import type { StaffAccounts } from '../../server/staff/staff-accounts.ts';

export function createSqliteStaffAccounts(applications: ApplicationStore, staff: StaffStore): StaffAccounts {
  return {
    async member(handlerId) {
      const handler = applications.handler(handlerId);
      if (!handler) return null;
      return { handlerId: handler.id, role: handler.role, teamId: handler.teamId, name: handler.name, teamName: handler.teamName, phone: handler.phone };
    },
    passwordHash: async (handlerId) => staff.passwordHash(handlerId),
    setPasswordHash: async (handlerId, hash) => staff.setPasswordHash(handlerId, hash),
    async workersOf(applicationNo) {
      const application = applications.application(applicationNo);
      if (!application) return null;
      const ids = new Set(applications.steps(applicationNo).flatMap((s) => (s.handlerId ? [s.handlerId] : [])));
      if (application.accountManagerId) ids.add(application.accountManagerId);
      for (const hurry of staff.hurriesOfApplication(applicationNo)) if (hurry.handlerId) ids.add(hurry.handlerId);
      return [...ids].map((handlerId) => ({ handlerId, teamId: applications.handler(handlerId)?.teamId ?? null }));
    },
  };
}
