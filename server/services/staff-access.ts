// Which applications a staff member may open: a handler those they work on, a team lead their team's
// and those nobody handles yet, an admin all.
import type { ApplicationStore } from '../../db/application-store.ts';
import type { StaffStore } from '../../db/staff-store.ts';
import type { StaffPrincipal } from './staff-auth.ts';

export function createStaffAccess(store: ApplicationStore, staff: StaffStore) {
  return {
    canSee(who: StaffPrincipal, applicationNo: string): boolean {
      if (who.role === 'admin') return true;
      const application = store.application(applicationNo);
      if (!application) return false;
      const handlerIds = new Set(store.steps(applicationNo).flatMap((s) => (s.handlerId ? [s.handlerId] : [])));
      if (application.accountManagerId) handlerIds.add(application.accountManagerId);
      for (const hurry of staff.hurriesOfApplication(applicationNo)) if (hurry.handlerId) handlerIds.add(hurry.handlerId);
      if (who.role === 'handler') return handlerIds.has(who.handlerId);
      // ids the marketing system has not synced as handlers yet name no team: as for a hurry, nobody handles it yet
      const teams = [...handlerIds].flatMap((id) => store.handler(id)?.teamId ?? []);
      return teams.length === 0 || teams.includes(who.teamId);
    },
  };
}

export type StaffAccess = ReturnType<typeof createStaffAccess>;
