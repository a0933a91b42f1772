// Where a staff queue item (hurry, consult) is pushed live, matching the topics staff subscribe to (routes/live.ts).
import type { StaffScope } from './staff-accounts.ts';
import { topics, type RealtimeHub } from '../realtime/hub.ts';

export interface StaffQueueItem {
  handlerId?: string | null;
  /** null: no team is known, and the item is for every team lead */
  teamId: string | null;
}

/**
 * Publishes `frame` to the item's handler, its team (team leads listen on their team's topic) or, without a team,
 * every team that has a lead, and to the admins.
 */
export function publishToStaff(hub: RealtimeHub, frame: string, item: StaffQueueItem, staff: { allTeamLeads(): { teamId: string }[] }): void {
  if (item.handlerId) hub.publish(topics.handler(item.handlerId), frame);
  for (const teamId of item.teamId ? [item.teamId] : new Set(staff.allTeamLeads().map((lead) => lead.teamId))) hub.publish(topics.team(teamId), frame);
  hub.publish(topics.allStaff, frame);
}

/** Whether `who` sees `item` in their queue: admins all, team leads their team's and those with no team, handlers their own. */
export function staffSees(who: StaffScope, item: StaffQueueItem): boolean {
  if (who.role === 'admin') return true;
  if (who.role === 'team_lead') return item.teamId === null || item.teamId === who.teamId;
  return item.handlerId === who.handlerId;
}
