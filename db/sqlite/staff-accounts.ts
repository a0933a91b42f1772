// Staff accounts (server/staff/staff-accounts.ts) on SQLite.
import type { ApplicationStore } from '../../server/applications/application-store.ts';
import type { StaffStore } from '../staff-store.ts';
import type { StaffAccounts } from '../../server/staff/staff-accounts.ts';
import type { HurryStore } from '../../server/hurries/hurry-store.ts';

export function createSqliteStaffAccounts(applications: ApplicationStore, staff: StaffStore, hurries: HurryStore): StaffAccounts {
  return {
    async member(handlerId) {
      const handler = await applications.handler(handlerId);
      if (!handler) return null;
      return { handlerId: handler.id, role: handler.role, teamId: handler.teamId, name: handler.name, teamName: handler.teamName, phone: handler.phone };
    },
    passwordHash: async (handlerId) => staff.passwordHash(handlerId),
    setPasswordHash: async (handlerId, hash) => staff.setPasswordHash(handlerId, hash),
    async workersOf(applicationNo) {
      const application = await applications.application(applicationNo);
      if (!application) return null;
      const ids = new Set((await applications.steps(applicationNo)).flatMap((s) => (s.handlerId ? [s.handlerId] : [])));
      if (application.accountManagerId) ids.add(application.accountManagerId);
      for (const hurry of await hurries.ofApplication(applicationNo)) if (hurry.handlerId) ids.add(hurry.handlerId);
      return Promise.all([...ids].map(async (handlerId) => ({ handlerId, teamId: (await applications.handler(handlerId))?.teamId ?? null })));
    },
    async leads(teamId) {
      const leads = teamId === null ? staff.allTeamLeads() : staff.teamLeads(teamId).map((lead) => ({ ...lead, teamId }));
      return leads.map((lead) => ({ handlerId: lead.id, name: lead.name, phone: lead.phone, teamId: lead.teamId })).sort((a, b) => (a.handlerId < b.handlerId ? -1 : a.handlerId > b.handlerId ? 1 : 0));
    },
  };
}
