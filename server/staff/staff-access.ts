// Which applications a staff member may open: a handler those they work on, a team lead their team's
// and those nobody handles yet, an admin all.
import type { Stores } from '../stores.ts';
import type { StaffPrincipal } from './staff-accounts.ts';

export function createStaffAccess(stores: Pick<Stores, 'staff'>) {
  return {
    async canSee(who: StaffPrincipal, applicationNo: string): Promise<boolean> {
      if (who.role === 'admin') return true;
      const workers = await stores.staff.workersOf(applicationNo);
      if (!workers) return false;
      if (who.role === 'handler') return workers.some((w) => w.handlerId === who.handlerId);
      // ids the marketing system has not synced as handlers yet name no team: as for a hurry, nobody handles it yet
      const teams = workers.flatMap((w) => w.teamId ?? []);
      return teams.length === 0 || teams.includes(who.teamId);
    },
  };
}

export type StaffAccess = ReturnType<typeof createStaffAccess>;
