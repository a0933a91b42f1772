// Hurry requests (催办): a customer presses, the step's handler answers, ignored or repeated ones escalate (督办).
import type { FastifyBaseLogger } from 'fastify';
import { JiedianError } from '../errors.ts';
import { findProcess, findStep, type ProcessStep } from '../domain/catalog.ts';
import { calendarDateOf, formatInstant, startOfDay } from '../domain/dates.ts';
import { maskName } from '../domain/masking.ts';
import type { WorkingHours } from '../domain/working-time.ts';
import { decidePress, escalatesUnacknowledged, escalationRecipient, hurryTarget, type EscalationReason, type HurryRecipient, type HurryRefusal, type KnownHandler } from '../domain/hurry.ts';
import { workdaysTaken } from '../domain/typical-durations.ts';
import type { HurryChannel } from '../../db/schema/hurries.ts';
import type { HurryRow, StaffStore } from '../../db/staff-store.ts';
import type { ApplicationRow } from '../../db/application-store.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from './context.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import type { StaffPrincipal } from '../staff/staff-accounts.ts';
import { publishToStaff, staffSees } from '../staff/staff-topics.ts';
import type { RiskService } from './risks.ts';

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

function refusalError(applicationNo: string, refusal: HurryRefusal): JiedianError {
  if (refusal.kind === 'not_active') return new JiedianError('JD_NOT_ACTIVE', `application ${applicationNo} is ${refusal.status}`);
  if (refusal.kind === 'no_current_step') return new JiedianError('JD_NOT_ACTIVE', `application ${applicationNo} has no current step`);
  return customerStepRefusal(applicationNo, refusal.step, refusal.next);
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

export interface HurryView {
  id: string;
  applicationNo: string;
  stepCode: string;
  stepName: string;
  handlerId: string | null;
  channel: HurryChannel;
  message: string | null;
  status: HurryRow['status'];
  count: number;
  createdAt: string;
  ackAt: string | null;
  answeredAt: string | null;
  reply: string | null;
  escalatedAt: string | null;
  escalationReason: string | null;
}

export interface HurryServiceOptions {
  ctx: ServiceContext;
  staff: StaffStore;
  notices: NoticeWriter;
  hub: RealtimeHub;
  cooldownHours: number;
  workingHours: WorkingHours;
  log: FastifyBaseLogger;
  /** after commit: deliver the notices just queued */
  wakeDispatcher: () => void;
  /** every press is a complaint-risk signal (a second one on the same step raises a risk item) */
  risks: Pick<RiskService, 'record'>;
}

export function createHurryService(options: HurryServiceOptions) {
  const { ctx, staff, notices, hub } = options;
  const { store } = ctx;
  const cooldownMs = options.cooldownHours * 60 * 60 * 1000;
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, ctx.timeZone));

  function stepName(applicationNo: string, stepCode: string): string {
    const application = store.application(applicationNo);
    const process = application && findProcess(ctx.catalog, application.processCode);
    return (process && findStep(process, stepCode)?.name) ?? stepCode;
  }

  function view(row: HurryRow): HurryView {
    return {
      id: row.id,
      applicationNo: row.applicationNo,
      stepCode: row.stepCode,
      stepName: stepName(row.applicationNo, row.stepCode),
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

  /** The team leads a request is for: its team's, or every team's when no team is known. */
  function leadsOf(teamId: string | null) {
    return teamId ? staff.teamLeads(teamId) : staff.allTeamLeads();
  }

  function publish(row: HurryRow): void {
    publishToStaff(hub, JSON.stringify({ type: 'hurry', hurry: view(row) }), row, staff);
  }

  /** Commits `work`, then publishes the hurries it touched and wakes the dispatcher. */
  function commit<T>(work: () => { result: T; touched: HurryRow[] }): T {
    const { result, touched } = ctx.database.transaction(work);
    for (const row of touched) publish(row);
    options.wakeDispatcher();
    return result;
  }

  function nextReference(now: number): string {
    const today = calendarDateOf(now, ctx.timeZone);
    const sequence = staff.countHurriesToday(startOfDay(today, ctx.timeZone)) + 1;
    return `CB${today.slice(2).replaceAll('-', '')}${String(sequence).padStart(4, '0')}`;
  }

  const visible = (principal: StaffPrincipal, row: HurryRow): boolean => staffSees(principal, row);

  /** The handlers the staff table knows among `ids` (a step's handler, the account manager). */
  function knownHandlers(ids: (string | null)[]): Map<string, KnownHandler> {
    const known = new Map<string, KnownHandler>();
    for (const id of ids) {
      const handler = id === null || known.has(id) ? undefined : store.handler(id);
      if (handler) known.set(handler.id, { id: handler.id, teamId: handler.teamId });
    }
    return known;
  }

  /** The people a recipient of the hurry rules stands for: a handler, or team leads (a team's, or every team's). */
  function recipientsOf(recipient: HurryRecipient): { id: string; phone: string }[] {
    if (recipient.kind === 'team_leads') return leadsOf(recipient.teamId);
    const handler = store.handler(recipient.handlerId);
    return handler ? [handler] : [];
  }

  function escalate(row: HurryRow, reason: EscalationReason, to: HurryRecipient, now: number): HurryRow {
    staff.updateHurry(row.id, { status: 'escalated', escalatedAt: now, escalationReason: reason });
    staff.audit(row.id, 'escalated', 'system', now, reason);
    const handler = row.handlerId ? store.handler(row.handlerId) : undefined;
    const leads = recipientsOf(to);
    if (leads.length === 0) options.log.warn({ hurry: row.id, teamId: row.teamId }, 'hurry escalated, but no team lead to text');
    for (const lead of leads) {
      notices.queue('escalation', { kind: 'handler', handlerId: lead.id, phone: lead.phone, applicationNo: row.applicationNo }, {
        applicationNo: row.applicationNo,
        stepName: stepName(row.applicationNo, row.stepCode),
        reason,
        count: row.count,
        handlerName: handler?.name ?? null,
      });
    }
    return staff.hurry(row.id)!;
  }

  function customerRecipient(application: ApplicationRow, row: Pick<HurryRow, 'channel' | 'replyAddress'>) {
    const only =
      (row.channel === 'sms' || row.channel === 'wechat' || row.channel === 'wechat_oa') && row.replyAddress
        ? { channel: row.channel, address: row.replyAddress }
        : { channel: 'sms' as const, address: application.phone };
    return { kind: 'customer' as const, application, only };
  }

  function workdaysRunning(start: number | null, now: number): number {
    return start === null ? 0 : workdaysTaken(start, now, ctx.calendar, options.workingHours, ctx.timeZone);
  }

  return {
    view,
    visible,

    /**
     * A customer's press. New → 202 with the request; a repeat within the cooldown raises the count and answers
     * 429 with the open request's id; after the cooldown an unanswered request is pressed again (count + 1).
     */
    request(input: {
      applicationNo: string;
      channel: HurryChannel;
      replyAddress?: string | null;
      message?: string | null;
      /**
       * The chat answers this press on the channel and address it came from, with the reference number: that answer
       * is the receipt, and no hurry_received notice goes to the same channel and address.
       */
      receiptInReply?: boolean;
    }): { hurry: HurryView; handlerName: string | null; nextHurryAt: string } {
      const now = ctx.clock.now();
      const message = input.message?.trim() ? input.message.trim().slice(0, MAX_HURRY_MESSAGE) : null;
      const outcome = commit((): { result: { hurry: HurryView; handlerName: string | null; nextPressAt: number } | { refused: JiedianError }; touched: HurryRow[] } => {
        const application = store.application(input.applicationNo);
        if (!application) throw new JiedianError('JD_NOT_FOUND', `no application ${input.applicationNo}`);
        const process = findProcess(ctx.catalog, application.processCode)!;
        const steps = store.steps(application.applicationNo);
        const target = hurryTarget({ application, process, steps });
        if (target.kind !== 'step') throw refusalError(input.applicationNo, target);
        const { step } = target;
        const latest = staff.latestHurry(application.applicationNo, step.code);
        options.risks.record({ applicationNo: application.applicationNo, kind: 'hurry', source: input.channel, stepCode: step.code, detail: message });
        const decision = decidePress({
          now,
          cooldownMs,
          step,
          latest,
          steps,
          accountManagerId: application.accountManagerId,
          handlers: knownHandlers([...steps.map((s) => s.handlerId), application.accountManagerId]),
          calendar: ctx.calendar,
          workingHours: options.workingHours,
          timeZone: ctx.timeZone,
        });

        if (decision.kind === 'again') {
          if (decision.counted) {
            staff.updateHurry(decision.hurryId, decision.accepted ? { count: decision.count, lastHurriedAt: now, message: message ?? latest!.message } : { count: decision.count });
            staff.audit(decision.hurryId, 'counted', 'customer', now, decision.accepted ? 'pressed again after the cooldown' : 'within cooldown');
          }
          let row = staff.hurry(decision.hurryId)!;
          if (decision.escalation) row = escalate(row, decision.escalation.reason, decision.escalation.to, now);
          if (!decision.accepted) {
            const seconds = decision.retryAfterSeconds!;
            // The raised count must be committed although the press is refused, so the refusal is returned, not thrown.
            const refused = new JiedianError('JD_HURRY_COOLDOWN', `this step was hurried recently; request ${row.id} is ${row.status}`, {
              headers: { 'retry-after': String(seconds) },
              body: { retryAfterSeconds: seconds, retryAt: formatInstant(decision.nextPressAt, ctx.timeZone), hurryId: row.id },
            });
            // an answered request pressed again within the cooldown has not changed: nothing to push to the queue
            return { result: { refused }, touched: decision.counted ? [row] : [] };
          }
          const handler = row.handlerId ? store.handler(row.handlerId) : undefined;
          return { result: { hurry: view(row), handlerName: handler?.name ?? null, nextPressAt: decision.nextPressAt }, touched: [row] };
        }

        const id = nextReference(now);
        staff.insertHurry({
          id,
          applicationNo: application.applicationNo,
          stepCode: step.code,
          handlerId: decision.handlerId,
          teamId: decision.teamId,
          channel: input.channel,
          replyAddress: input.replyAddress ?? null,
          message,
          status: 'open',
          count: 1,
          createdAt: now,
          lastHurriedAt: now,
          escalateAt: decision.escalateAt,
        });
        staff.audit(id, 'created', 'customer', now, input.channel);
        const row = staff.hurry(id)!;
        const receipt = customerRecipient(application, row);
        const answeredInChat = input.receiptInReply === true && receipt.only.channel === input.channel && receipt.only.address === input.replyAddress;
        if (!answeredInChat) notices.queue('hurry_received', receipt, { applicationNo: application.applicationNo, reference: id, stepName: step.name });
        const stepRow = steps.find((s) => s.stepCode === step.code);
        for (const recipient of recipientsOf(decision.notify)) {
          notices.queue('hurry_for_handler', { kind: 'handler', handlerId: recipient.id, phone: recipient.phone, applicationNo: application.applicationNo }, {
            applicationNo: application.applicationNo,
            customerName: application.customerName,
            stepName: step.name,
            message,
            stepWorkdays: workdaysRunning(stepRow?.actualStart ?? null, now),
          });
        }
        const handler = decision.handlerId ? store.handler(decision.handlerId) : undefined;
        return { result: { hurry: view(row), handlerName: handler?.name ?? null, nextPressAt: decision.nextPressAt }, touched: [row] };
      });
      if ('refused' in outcome) throw outcome.refused;
      // a press that goes through starts the cooldown now, whether the request is new or pressed again after it
      const { nextPressAt, ...accepted } = outcome;
      return { ...accepted, nextHurryAt: instant(nextPressAt)! };
    },

    acknowledge(principal: StaffPrincipal, id: string): HurryView {
      const now = ctx.clock.now();
      return commit(() => {
        const row = staff.hurry(id);
        if (!row || !visible(principal, row)) throw new JiedianError('JD_NOT_FOUND', `no hurry request ${id} in your queue`);
        if (row.status === 'answered') throw new JiedianError('JD_CONFLICT', `hurry request ${id} is already answered`);
        if (row.ackAt === null) {
          staff.updateHurry(id, { ackAt: now, ackBy: principal.handlerId, status: row.status === 'open' ? 'acknowledged' : row.status });
          staff.audit(id, 'acknowledged', principal.handlerId, now);
        }
        const updated = staff.hurry(id)!;
        return { result: view(updated), touched: [updated] };
      });
    },

    reply(principal: StaffPrincipal, id: string, text: string): HurryView {
      const now = ctx.clock.now();
      return commit(() => {
        const row = staff.hurry(id);
        if (!row || !visible(principal, row)) throw new JiedianError('JD_NOT_FOUND', `no hurry request ${id} in your queue`);
        if (row.status === 'answered') throw new JiedianError('JD_CONFLICT', `hurry request ${id} is already answered`);
        staff.updateHurry(id, {
          status: 'answered',
          answeredAt: now,
          answeredBy: principal.handlerId,
          reply: text,
          ackAt: row.ackAt ?? now,
          ackBy: row.ackBy ?? principal.handlerId,
        });
        staff.audit(id, 'answered', principal.handlerId, now);
        const application = store.application(row.applicationNo);
        if (application) {
          notices.queue('hurry_answered', customerRecipient(application, row), { applicationNo: row.applicationNo, reference: id, reply: text });
        }
        const updated = staff.hurry(id)!;
        return { result: view(updated), touched: [updated] };
      });
    },

    /** Escalates every open request unacknowledged past its time. Returns how many escalated. */
    escalateDue(): number {
      const now = ctx.clock.now();
      return commit(() => {
        const touched = staff
          .hurriesToEscalate(now)
          .filter((row) => escalatesUnacknowledged(row, now))
          .map((row) => escalate(row, 'unacknowledged', escalationRecipient(row.teamId), now));
        return { result: touched.length, touched };
      });
    },

    queue(principal: StaffPrincipal): HurryView[] {
      return staff.hurryQueue(principal, ctx.clock.now() - ANSWERED_VISIBLE_MS).map(view);
    },

    ofApplication: (applicationNo: string) => staff.hurriesOfApplication(applicationNo).map(view),

    customerView(row: HurryView, handlerName: string | null, nextHurryAt: string) {
      return { id: row.id, status: row.status, stepCode: row.stepCode, handlerName: handlerName ? maskName(handlerName) : null, createdAt: row.createdAt, count: row.count, nextHurryAt };
    },
  };
}

export type HurryService = ReturnType<typeof createHurryService>;
