// Consults (转人工): a customer asks the chatbot for a person; the item waits in the team lead's queue.
import { JiedianError } from '../errors.ts';
import { calendarDateOf, formatInstant, startOfDay } from '../domain/dates.ts';
import type { ChatStore, ConsultRow } from '../../db/chat-store.ts';
import type { ChatChannelKind } from '../../db/schema/chat.ts';
import type { StaffStore } from '../../db/staff-store.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from '../services/context.ts';
import { publishToStaff, staffSees } from '../staff/staff-topics.ts';
import { responsibleFor } from '../services/responsible.ts';
import type { StaffPrincipal } from '../staff/staff-accounts.ts';

/** closed consults stay visible in the queue this long */
const CLOSED_VISIBLE_MS = 24 * 60 * 60 * 1000;

export interface ConsultView {
  id: string;
  channel: ChatChannelKind;
  /** the SMS number, WeChat contact id or kiosk session that asked */
  address: string;
  accountNo: string | null;
  applicationNo: string | null;
  teamId: string | null;
  text: string;
  status: 'open' | 'closed';
  createdAt: string;
  closedAt: string | null;
  closedBy: string | null;
  note: string | null;
}

export function createConsultService(deps: { ctx: ServiceContext; chats: ChatStore; staff: StaffStore; hub: RealtimeHub }) {
  const { ctx, chats, hub } = deps;
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, ctx.timeZone));

  function view(row: ConsultRow): ConsultView {
    return {
      id: row.id,
      channel: row.channel,
      address: row.address,
      accountNo: row.accountNo,
      applicationNo: row.applicationNo,
      teamId: row.teamId,
      text: row.text,
      status: row.status,
      createdAt: instant(row.createdAt)!,
      closedAt: instant(row.closedAt),
      closedBy: row.closedBy,
      note: row.note,
    };
  }

  function publish(row: ConsultRow): void {
    publishToStaff(hub, JSON.stringify({ type: 'consult', consult: view(row) }), { teamId: row.teamId }, deps.staff);
  }

  /** The team of whoever handles the application now, else of whoever handled it last. */
  function teamOf(applicationNo: string | null): string | null {
    return applicationNo ? responsibleFor(ctx, applicationNo).teamId : null;
  }

  function nextReference(now: number): string {
    const today = calendarDateOf(now, ctx.timeZone);
    const sequence = chats.countConsultsSince(startOfDay(today, ctx.timeZone)) + 1;
    return `ZX${today.slice(2).replaceAll('-', '')}${String(sequence).padStart(4, '0')}`;
  }

  return {
    view,

    /** Opens a consult for the conversation, or returns the one still open. */
    open(input: { conversationId: string; channel: ChatChannelKind; address: string; accountNo: string | null; applicationNo: string | null; text: string }): {
      consult: ConsultView;
      existing: boolean;
    } {
      const now = ctx.clock.now();
      const { result, row } = ctx.database.transaction(() => {
        const open = chats.openConsultOf(input.conversationId);
        if (open) return { result: { consult: view(open), existing: true }, row: null };
        const id = nextReference(now);
        chats.insertConsult({
          id,
          conversationId: input.conversationId,
          channel: input.channel,
          address: input.address,
          accountNo: input.accountNo,
          applicationNo: input.applicationNo,
          teamId: teamOf(input.applicationNo),
          text: input.text,
          status: 'open',
          createdAt: now,
        });
        const inserted = chats.consult(id)!;
        return { result: { consult: view(inserted), existing: false }, row: inserted };
      });
      if (row) publish(row);
      return result;
    },

    /** Team leads see their team's consults and those without a team; admins see all; handlers none. */
    queue(principal: StaffPrincipal): ConsultView[] {
      if (principal.role === 'handler') return [];
      return chats.consultQueue(principal, ctx.clock.now() - CLOSED_VISIBLE_MS).map(view);
    },

    close(principal: StaffPrincipal, id: string, note: string | null): ConsultView {
      const row = chats.consult(id);
      // a consult belongs to no handler: only team leads and admins close it
      if (!row || principal.role === 'handler' || !staffSees(principal, row)) throw new JiedianError('JD_NOT_FOUND', `no consult ${id} in your queue`);
      if (!chats.closeConsult(id, principal.handlerId, ctx.clock.now(), note)) throw new JiedianError('JD_CONFLICT', `consult ${id} is already closed`);
      const closed = chats.consult(id)!;
      publish(closed);
      return view(closed);
    },
  };
}

export type ConsultService = ReturnType<typeof createConsultService>;
