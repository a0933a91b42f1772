// Hurry requests (催办): a customer presses, the step's handler answers, ignored or repeated ones escalate (督办).
// The rules are domain/hurry.ts; here each use case reads the facts, decides, and writes what the decision says in one
// unit of work with the notices it sends ("nothing sent that was not first written").
import type { FastifyBaseLogger } from 'fastify';
import { JiedianError } from '../errors.ts';
import { findProcess, findStep, type ProcessStep } from '../domain/catalog.ts';
import { calendarDateOf, formatInstant, startOfDay } from '../domain/dates.ts';
import {
  decidePress,
  escalatesUnacknowledged,
  escalationRecipient,
  hurryTarget,
  type EscalationReason,
  type HurryRecipient,
  type HurryRefusal,
  type KnownHandler,
} from '../domain/hurry.ts';
import { maskName } from '../domain/masking.ts';
import { workdaysTaken } from '../domain/typical-durations.ts';
import type { WorkingHours } from '../domain/working-time.ts';
import type { ApplicationRow, ApplicationStore } from '../applications/application-store.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import type { RiskRecord, RiskService } from '../risks/risk-items.ts';
import type { StaffPrincipal } from '../staff/staff-accounts.ts';
import { publishToStaff, staffSees } from '../staff/staff-topics.ts';
import type { Stores, Transact } from '../stores.ts';
import type { Hurry, HurryChannel } from './hurry-store.ts';

export const MAX_HURRY_MESSAGE = 200;
/** answered requests stay visible in the queue this long */
const ANSWERED_VISIBLE_MS = 24 * 60 * 60 * 1000;

/** The body of the 409 that refuses a hurry on a customer-side step: what the customer is to do instead. */
export interface CustomerStepRefusal {
  side: 'customer';
  stepCode: string;
  stepName: string;
  customerTasks: string[];
  /** the utility step that follows, which the customer applies for once their work is done */
  nextStep: { code: string; name: string } | null;
}

function customerStepRefusal(applicationNo: string, step: ProcessStep, next: ProcessStep | null): JiedianError {
  const body: CustomerStepRefusal = {
    side: 'customer',
    stepCode: step.code,
    stepName: step.name,
    customerTasks: step.customerTasks,
    nextStep: next ? { code: next.code, name: next.name } : null,
  };
  const then = next ? `; once it is done, ask the handler for ${next.code} (${next.name})` : '';
  return new JiedianError(
    'JD_CONFLICT',
    `the current step of ${applicationNo}, ${step.code} (${step.name}), is the customer's own work and cannot be hurried${then}`,
    { body: { ...body } },
  );
}

function refusalError(applicationNo: string, refusal: HurryRefusal): JiedianError {
  if (refusal.kind === 'not_active') return new JiedianError('JD_NOT_ACTIVE', `application ${applicationNo} is ${refusal.status}`);
  if (refusal.kind === 'no_current_step') return new JiedianError('JD_NOT_ACTIVE', `application ${applicationNo} has no current step`);
  return customerStepRefusal(applicationNo, refusal.step, refusal.next);
}

export interface HurryView {
  id: string;
  applicationNo: string;
  stepCode: string;
  stepName: string;
  handlerId: string | null;
  channel: HurryChannel;
  message: string | null;
  status: Hurry['status'];
  count: number;
  createdAt: string;
  ackAt: string | null;
  answeredAt: string | null;
  reply: string | null;
  escalatedAt: string | null;
  escalationReason: string | null;
}

export interface HurryPress {
  applicationNo: string;
  channel: HurryChannel;
  replyAddress?: string | null;
  message?: string | null;
  /**
   * The chat answers this press on the channel and address it came from, with the reference number: that answer is
   * the receipt, and no hurry_received notice goes to the same channel and address.
   */
  receiptInReply?: boolean;
}

export interface HurryServiceOptions {
  ctx: ServiceContext;
  stores: Pick<Stores, 'hurries' | 'staff' | 'applications'>;
  transact: Transact;
  notices: NoticeWriter;
  hub: RealtimeHub;
  cooldownHours: number;
  workingHours: WorkingHours;
  log: FastifyBaseLogger;
  /** after commit: deliver the notices just queued */
  wakeDispatcher: () => void;
  /** every press is a complaint-risk signal (a second one on the same step raises a risk item), in the press's unit of work */
  risks: Pick<RiskService, 'recordWithin' | 'announce'>;
}

type Staff = Stores['staff'];

/**
 * The reference number of a request made now in the unit of work of `hurries`: CB, the date, the day's count. The
 * numbering is held until that unit of work ends, so two made at once (two instances) are numbered one after the other.
 */
export async function nextHurryReference(hurries: Stores['hurries'], now: number, timeZone: string): Promise<string> {
  const today = calendarDateOf(now, timeZone);
  const sequence = (await hurries.countCreatedSince(startOfDay(today, timeZone))) + 1;
  return `CB${today.slice(2).replaceAll('-', '')}${String(sequence).padStart(4, '0')}`;
}

export function createHurryService(options: HurryServiceOptions) {
  const { ctx, stores, transact, notices, hub } = options;
  const cooldownMs = options.cooldownHours * 60 * 60 * 1000;
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, ctx.timeZone));

  async function stepName(applications: ApplicationStore, applicationNo: string, stepCode: string): Promise<string> {
    const application = await applications.application(applicationNo);
    const process = application && findProcess(ctx.catalog, application.processCode);
    return (process && findStep(process, stepCode)?.name) ?? stepCode;
  }

  /** `applications`: the unit of work's store inside one */
  async function view(row: Hurry, applications: ApplicationStore = stores.applications): Promise<HurryView> {
    return {
      id: row.id,
      applicationNo: row.applicationNo,
      stepCode: row.stepCode,
      stepName: await stepName(applications, row.applicationNo, row.stepCode),
      handlerId: row.handlerId,
      channel: row.channel,
      message: row.message,
      status: row.status,
      count: row.count,
      createdAt: instant(row.createdAt)!,
      ackAt: instant(row.ackAt),
      answeredAt: instant(row.answeredAt),
      reply: row.reply,
      escalatedAt: instant(row.escalatedAt),
      escalationReason: row.escalationReason,
    };
  }

  /** After the commit: the requests it touched go live, and the notices it queued go out. */
  async function afterCommit(touched: Hurry[]): Promise<void> {
    options.wakeDispatcher();
    if (touched.length === 0) return;
    const everyTeam = touched.some((row) => row.teamId === null) ? await stores.staff.leads(null) : [];
    for (const row of touched) publishToStaff(hub, JSON.stringify({ type: 'hurry', hurry: await view(row) }), row, { allTeamLeads: () => everyTeam });
  }

  const visible = (principal: StaffPrincipal, row: Hurry): boolean => staffSees(principal, row);

  /** The handlers the staff table knows among `ids` (the steps' handlers, the account manager). */
  async function knownHandlers(staff: Staff, ids: (string | null)[]): Promise<Map<string, KnownHandler>> {
    const known = new Map<string, KnownHandler>();
    for (const id of new Set(ids)) {
      const member = id === null ? null : await staff.member(id);
      if (member) known.set(member.handlerId, { id: member.handlerId, teamId: member.teamId });
    }
    return known;
  }

  /** The people a recipient of the hurry rules stands for: a handler, or team leads (a team's, or every team's). */
  async function recipientsOf(staff: Staff, recipient: HurryRecipient): Promise<{ handlerId: string; phone: string }[]> {
    if (recipient.kind === 'team_leads') return staff.leads(recipient.teamId);
    const handler = await staff.member(recipient.handlerId);
    return handler ? [handler] : [];
  }

  async function escalate(all: Stores, row: Hurry, reason: EscalationReason, to: HurryRecipient, now: number): Promise<Hurry> {
    const { hurries, staff, applications } = all;
    await hurries.update(row.id, { status: 'escalated', escalatedAt: now, escalationReason: reason });
    await hurries.audit(row.id, 'escalated', 'system', now, reason);
    const handler = row.handlerId ? await staff.member(row.handlerId) : null;
    const leads = await recipientsOf(staff, to);
    if (leads.length === 0) options.log.warn({ hurry: row.id, teamId: row.teamId }, 'hurry escalated, but no team lead to text');
    for (const lead of leads) {
      await notices.queue(all, 'escalation', { kind: 'handler', handlerId: lead.handlerId, phone: lead.phone, applicationNo: row.applicationNo }, {
        applicationNo: row.applicationNo,
        stepName: await stepName(applications, row.applicationNo, row.stepCode),
        reason,
        count: row.count,
        handlerName: handler?.name ?? null,
      });
    }
    return (await hurries.byId(row.id))!;
  }

  function customerRecipient(application: ApplicationRow, row: Pick<Hurry, 'channel' | 'replyAddress'>) {
    const only =
      (row.channel === 'sms' || row.channel === 'wechat' || row.channel === 'wechat_oa') && row.replyAddress
        ? { channel: row.channel, address: row.replyAddress }
        : { channel: 'sms' as const, address: application.phone };
    return { kind: 'customer' as const, application, only };
  }

  function workdaysRunning(start: number | null, now: number): number {
    return start === null ? 0 : workdaysTaken(start, now, ctx.calendar, options.workingHours, ctx.timeZone);
  }

  type PressOutcome =
    | { hurry: HurryView; handlerName: string | null; nextPressAt: number }
    | { refused: JiedianError };

  /** One press, in the caller's unit of work: what it decides and writes, and the requests it touched. */
  async function press(all: Stores, input: HurryPress, message: string | null, now: number): Promise<{ outcome: PressOutcome; touched: Hurry[]; risk: RiskRecord }> {
    const { hurries, staff, applications } = all;
    // locked: two presses on one application at once (two instances) are decided one after the other, so the second
    // finds the request the first made
    const application = await applications.applicationForUpdate(input.applicationNo);
    if (!application) throw new JiedianError('JD_NOT_FOUND', `no application ${input.applicationNo}`);
    const process = findProcess(ctx.catalog, application.processCode)!;
    const steps = await applications.steps(application.applicationNo);
    const target = hurryTarget({ application, process, steps });
    if (target.kind !== 'step') throw refusalError(input.applicationNo, target);
    const { step } = target;
    const latest = await hurries.latestOnStep(application.applicationNo, step.code);
    const risk = await options.risks.recordWithin(all, { applicationNo: application.applicationNo, kind: 'hurry', source: input.channel, stepCode: step.code, detail: message });
    const decision = decidePress({
      now,
      cooldownMs,
      step,
      latest: latest ?? undefined,
      steps,
      accountManagerId: application.accountManagerId,
      handlers: await knownHandlers(staff, [...steps.map((s) => s.handlerId), application.accountManagerId]),
      calendar: ctx.calendar,
      workingHours: options.workingHours,
      timeZone: ctx.timeZone,
    });

    if (decision.kind === 'again') {
      if (decision.counted) {
        await hurries.update(decision.hurryId, decision.accepted ? { count: decision.count, lastHurriedAt: now, message: message ?? latest!.message } : { count: decision.count });
        await hurries.audit(decision.hurryId, 'counted', 'customer', now, decision.accepted ? 'pressed again after the cooldown' : 'within cooldown');
      }
      let row = (await hurries.byId(decision.hurryId))!;
      if (decision.escalation) row = await escalate(all, row, decision.escalation.reason, decision.escalation.to, now);
      if (!decision.accepted) {
        const seconds = decision.retryAfterSeconds!;
        // The raised count must be committed although the press is refused, so the refusal is returned, not thrown.
        const refused = new JiedianError('JD_HURRY_COOLDOWN', `this step was hurried recently; request ${row.id} is ${row.status}`, {
          headers: { 'retry-after': String(seconds) },
          body: { retryAfterSeconds: seconds, retryAt: formatInstant(decision.nextPressAt, ctx.timeZone), hurryId: row.id },
        });
        // an answered request pressed again within the cooldown has not changed: nothing to push to the queue
        return { outcome: { refused }, touched: decision.counted ? [row] : [], risk };
      }
      const handler = row.handlerId ? await staff.member(row.handlerId) : null;
      return { outcome: { hurry: await view(row, applications), handlerName: handler?.name ?? null, nextPressAt: decision.nextPressAt }, touched: [row], risk };
    }

    const id = await nextHurryReference(hurries, now, ctx.timeZone);
    await hurries.insert({
      id,
      applicationNo: application.applicationNo,
      stepCode: step.code,
      handlerId: decision.handlerId,
      teamId: decision.teamId,
      channel: input.channel,
      replyAddress: input.replyAddress ?? null,
      message,
      createdAt: now,
      escalateAt: decision.escalateAt,
    });
    await hurries.audit(id, 'created', 'customer', now, input.channel);
    const row = (await hurries.byId(id))!;
    const receipt = customerRecipient(application, row);
    const answeredInChat = input.receiptInReply === true && receipt.only.channel === input.channel && receipt.only.address === input.replyAddress;
    if (!answeredInChat) await notices.queue(all, 'hurry_received', receipt, { applicationNo: application.applicationNo, reference: id, stepName: step.name });
    const stepRow = steps.find((s) => s.stepCode === step.code);
    for (const recipient of await recipientsOf(staff, decision.notify)) {
      await notices.queue(all, 'hurry_for_handler', { kind: 'handler', handlerId: recipient.handlerId, phone: recipient.phone, applicationNo: application.applicationNo }, {
        applicationNo: application.applicationNo,
        customerName: application.customerName,
        stepName: step.name,
        message,
        stepWorkdays: workdaysRunning(stepRow?.actualStart ?? null, now),
      });
    }
    const handler = decision.handlerId ? await staff.member(decision.handlerId) : null;
    return { outcome: { hurry: await view(row, applications), handlerName: handler?.name ?? null, nextPressAt: decision.nextPressAt }, touched: [row], risk };
  }

  /** A staff member's change to a request in their queue, refused once it is answered. */
  async function change(principal: StaffPrincipal, id: string, work: (all: Stores, row: Hurry, now: number) => Promise<void>): Promise<HurryView> {
    const now = ctx.clock.now();
    const updated = await transact(async (all) => {
      const row = await all.hurries.byId(id);
      if (!row || !visible(principal, row)) throw new JiedianError('JD_NOT_FOUND', `no hurry request ${id} in your queue`);
      if (row.status === 'answered') throw new JiedianError('JD_CONFLICT', `hurry request ${id} is already answered`);
      await work(all, row, now);
      return (await all.hurries.byId(id))!;
    });
    await afterCommit([updated]);
    return view(updated);
  }

  return {
    view,
    visible,

    /**
     * A customer's press. New → 202 with the request; a repeat within the cooldown raises the count and answers
     * 429 with the open request's id; after the cooldown an unanswered request is pressed again (count + 1).
     */
    async request(input: HurryPress): Promise<{ hurry: HurryView; handlerName: string | null; nextHurryAt: string }> {
      const now = ctx.clock.now();
      const message = input.message?.trim() ? input.message.trim().slice(0, MAX_HURRY_MESSAGE) : null;
      const { outcome, touched, risk } = await transact((all) => press(all, input, message, now));
      await options.risks.announce(risk);
      await afterCommit(touched);
      if ('refused' in outcome) throw outcome.refused;
      const { nextPressAt, ...accepted } = outcome;
      return { ...accepted, nextHurryAt: instant(nextPressAt)! };
    },

    acknowledge: (principal: StaffPrincipal, id: string): Promise<HurryView> =>
      change(principal, id, async ({ hurries }, row, now) => {
        if (row.ackAt !== null) return;
        await hurries.update(id, { ackAt: now, ackBy: principal.handlerId, status: row.status === 'open' ? 'acknowledged' : row.status });
        await hurries.audit(id, 'acknowledged', principal.handlerId, now);
      }),

    reply: (principal: StaffPrincipal, id: string, text: string): Promise<HurryView> =>
      change(principal, id, async (all, row, now) => {
        await all.hurries.update(id, {
          status: 'answered',
          answeredAt: now,
          answeredBy: principal.handlerId,
          reply: text,
          ackAt: row.ackAt ?? now,
          ackBy: row.ackBy ?? principal.handlerId,
        });
        await all.hurries.audit(id, 'answered', principal.handlerId, now);
        const application = await all.applications.application(row.applicationNo);
        if (application) {
          await notices.queue(all, 'hurry_answered', customerRecipient(application, row), { applicationNo: row.applicationNo, reference: id, reply: text });
        }
      }),

    /** Escalates every open request unacknowledged past its time (the sweeper's job). Returns how many escalated. */
    async escalateDue(): Promise<number> {
      const now = ctx.clock.now();
      const touched = await transact(async (all) => {
        const escalated: Hurry[] = [];
        for (const row of await all.hurries.openDueBy(now)) {
          if (escalatesUnacknowledged(row, now)) escalated.push(await escalate(all, row, 'unacknowledged', escalationRecipient(row.teamId), now));
        }
        return escalated;
      });
      await afterCommit(touched);
      return touched.length;
    },

    queue: async (principal: StaffPrincipal): Promise<HurryView[]> => Promise.all((await stores.hurries.queue(principal, ctx.clock.now() - ANSWERED_VISIBLE_MS)).map((row) => view(row))),

    ofApplication: async (applicationNo: string): Promise<HurryView[]> => Promise.all((await stores.hurries.ofApplication(applicationNo)).map((row) => view(row))),

    /** requests not yet answered (the metrics gauge) */
    openCount: (): Promise<number> => stores.hurries.openCount(),

    customerView(row: HurryView, handlerName: string | null, nextHurryAt: string) {
      return { id: row.id, status: row.status, stepCode: row.stepCode, handlerName: handlerName ? maskName(handlerName) : null, createdAt: row.createdAt, count: row.count, nextHurryAt };
    },
  };
}

export type HurryService = ReturnType<typeof createHurryService>;
