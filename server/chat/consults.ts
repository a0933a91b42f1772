// Consults (转人工): a customer asks the chatbot for a person; the item waits in the team lead's queue.
import { JiedianError } from '../errors.ts';
import { calendarDateOf, formatInstant, startOfDay } from '../domain/dates.ts';
import type { Consult } from './chat-store.ts';
import type { ChatChannelKind } from '../../db/schema/chat.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Stores, Transact } from '../stores.ts';
import { publishToStaff, staffSees } from '../staff/staff-topics.ts';
import { responsibleFor } from '../applications/responsible.ts';
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

export function createConsultService(deps: { ctx: ServiceContext; stores: Stores; transact: Transact; hub: RealtimeHub }) {
  const { ctx, stores, transact, hub } = deps;
  const { chats } = stores;
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, ctx.timeZone));

  function view(row: Consult): ConsultView {
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

  async function publish(row: Consult): Promise<void> {
    const everyTeam = row.teamId === null ? await stores.staff.leads(null) : [];
    publishToStaff(hub, JSON.stringify({ type: 'consult', consult: view(row) }), { teamId: row.teamId }, { allTeamLeads: () => everyTeam });
  }

  /** The team of whoever handles the application now, else of whoever handled it last. */
  async function teamOf(applications: Stores['applications'], applicationNo: string | null): Promise<string | null> {
    return applicationNo ? (await responsibleFor(applications, applicationNo)).teamId : null;
  }

  async function nextReference(tx: Stores['chats'], now: number): Promise<string> {
    const today = calendarDateOf(now, ctx.timeZone);
    const sequence = (await tx.countConsultsSince(startOfDay(today, ctx.timeZone))) + 1;
    return `ZX${today.slice(2).replaceAll('-', '')}${String(sequence).padStart(4, '0')}`;
  }

  return {
    view,

    /** Opens a consult for the conversation, or returns the one still open. */
    async open(input: { conversationId: string; channel: ChatChannelKind; address: string; accountNo: string | null; applicationNo: string | null; text: string }): Promise<{
      consult: ConsultView;
      existing: boolean;
    }> {
      const now = ctx.clock.now();
      const { result, row } = await transact(async ({ chats: tx, applications }) => {
        // numbered first: on a database of several writers that holds the numbering, so one conversation opens one consult
        const id = await nextReference(tx, now);
        const open = await tx.openConsultOf(input.conversationId);
        if (open) return { result: { consult: view(open), existing: true }, row: null };
        await tx.insertConsult({
          id,
          conversationId: input.conversationId,
          channel: input.channel,
          address: input.address,
          accountNo: input.accountNo,
          applicationNo: input.applicationNo,
          teamId: await teamOf(applications, input.applicationNo),
          text: input.text,
          createdAt: now,
        });
        const inserted = (await tx.consult(id))!;
        return { result: { consult: view(inserted), existing: false }, row: inserted };
      });
      if (row) await publish(row);
      return result;
    },

    /** Team leads see their team's consults and those without a team; admins see all; handlers none. */
    async queue(principal: StaffPrincipal): Promise<ConsultView[]> {
      if (principal.role === 'handler') return [];
      return (await chats.consultQueue(principal, ctx.clock.now() - CLOSED_VISIBLE_MS)).map(view);
    },

    async close(principal: StaffPrincipal, id: string, note: string | null): Promise<ConsultView> {
      const row = await chats.consult(id);
      // a consult belongs to no handler: only team leads and admins close it
      if (!row || principal.role === 'handler' || !staffSees(principal, row)) throw new JiedianError('JD_NOT_FOUND', `no consult ${id} in your queue`);
      if (!(await transact(({ chats: tx }) => tx.closeConsult(id, principal.handlerId, ctx.clock.now(), note)))) {
        throw new JiedianError('JD_CONFLICT', `consult ${id} is already closed`);
      }
      const closed = (await chats.consult(id))!;
      await publish(closed);
      return view(closed);
    },
  };
}

export type ConsultService = ReturnType<typeof createConsultService>;
