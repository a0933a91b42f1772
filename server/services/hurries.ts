// Hurry requests (催办): a customer presses, the step's handler answers, ignored or repeated ones escalate (督办).
import type { FastifyBaseLogger } from 'fastify';
import { JiedianError } from '../errors.ts';
import { findProcess, findStep, type ProcessStep } from '../domain/catalog.ts';
import { calendarDateOf, formatInstant, startOfDay } from '../domain/dates.ts';
import { maskName } from '../domain/masking.ts';
import { addWorkingMinutes, type WorkingHours } from '../domain/working-time.ts';
import { currentStepIndex } from '../domain/progress-view.ts';
import { workdaysTaken } from '../domain/typical-durations.ts';
import type { HurryChannel } from '../../db/schema/hurries.ts';
import type { HurryRow, StaffStore } from '../../db/staff-store.ts';
import type { ApplicationRow } from '../../db/application-store.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from './context.ts';
import type { NoticeWriter } from './notices.ts';
import type { StaffPrincipal } from '../staff/staff-accounts.ts';
import { publishToStaff, staffSees } from '../staff/staff-topics.ts';
import type { RiskService } from './risks.ts';

export const ESCALATE_AFTER_WORKING_MINUTES = 4 * 60;
export const ESCALATE_AT_COUNT = 3;
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

  function escalate(row: HurryRow, reason: 'unacknowledged' | 'repeated', now: number): HurryRow {
    staff.updateHurry(row.id, { status: 'escalated', escalatedAt: now, escalationReason: reason });
    staff.audit(row.id, 'escalated', 'system', now, reason);
    const handler = row.handlerId ? store.handler(row.handlerId) : undefined;
    const leads = leadsOf(row.teamId);
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
      const outcome = commit((): { result: { hurry: HurryView; handlerName: string | null } | { refused: JiedianError }; touched: HurryRow[] } => {
        const application = store.application(input.applicationNo);
        if (!application) throw new JiedianError('JD_NOT_FOUND', `no application ${input.applicationNo}`);
        if (application.status !== 'active') throw new JiedianError('JD_NOT_ACTIVE', `application ${input.applicationNo} is ${application.status}`);
        const process = findProcess(ctx.catalog, application.processCode)!;
        const steps = store.steps(application.applicationNo);
        const byCode = new Map(steps.map((s) => [s.stepCode, s]));
        const current = currentStepIndex(process.steps.map((s) => byCode.get(s.code)?.status ?? 'pending'));
        if (current < 0) throw new JiedianError('JD_NOT_ACTIVE', `application ${input.applicationNo} has no current step`);
        const step = process.steps[current]!;
        // The customer's own work (客户受电工程施工): there is nobody at the utility to hurry.
        if (step.side === 'customer') throw customerStepRefusal(input.applicationNo, step, process.steps[current + 1] ?? null);
        const stepRow = byCode.get(step.code);
        const latest = staff.latestHurry(application.applicationNo, step.code);
        options.risks.record({ applicationNo: application.applicationNo, kind: 'hurry', source: input.channel, stepCode: step.code, detail: message });

        if (latest && (latest.status !== 'answered' || now < latest.lastHurriedAt + cooldownMs)) {
          const withinCooldown = now < latest.lastHurriedAt + cooldownMs;
          if (latest.status !== 'answered') {
            const count = latest.count + 1;
            staff.updateHurry(latest.id, withinCooldown ? { count } : { count, lastHurriedAt: now, message: message ?? latest.message });
            staff.audit(latest.id, 'counted', 'customer', now, withinCooldown ? 'within cooldown' : 'pressed again after the cooldown');
          }
          let row = staff.hurry(latest.id)!;
          if ((row.status === 'open' || row.status === 'acknowledged') && row.count >= ESCALATE_AT_COUNT) row = escalate(row, 'repeated', now);
          if (withinCooldown) {
            const seconds = Math.max(1, Math.ceil((latest.lastHurriedAt + cooldownMs - now) / 1000));
            // The raised count must be committed although the press is refused, so the refusal is returned, not thrown.
            const refused = new JiedianError('JD_HURRY_COOLDOWN', `this step was hurried recently; request ${row.id} is ${row.status}`, {
              headers: { 'retry-after': String(seconds) },
              body: { retryAfterSeconds: seconds, retryAt: formatInstant(now + seconds * 1000, ctx.timeZone), hurryId: row.id },
            });
            // an answered request pressed again within the cooldown has not changed: nothing to push to the queue
            return { result: { refused }, touched: latest.status === 'answered' ? [] : [row] };
          }
          const handler = row.handlerId ? store.handler(row.handlerId) : undefined;
          return { result: { hurry: view(row), handlerName: handler?.name ?? null }, touched: [row] };
        }

        const stepHandler = stepRow?.handlerId ? store.handler(stepRow.handlerId) : undefined;
        // Without a handler on the step, the request goes to the team leads of whoever handled the application last;
        // when nobody has, to its account manager (客户经理) as its handler; failing that, to every team lead.
        const lastHandler = stepHandler ?? [...steps].filter((s) => s.handlerId).sort((a, b) => (b.handlerAt ?? 0) - (a.handlerAt ?? 0)).map((s) => store.handler(s.handlerId!)).find(Boolean);
        const handler = stepHandler ?? (!lastHandler && application.accountManagerId ? store.handler(application.accountManagerId) : undefined);
        const teamId = (lastHandler ?? handler)?.teamId ?? null;
        const id = nextReference(now);
        staff.insertHurry({
          id,
          applicationNo: application.applicationNo,
          stepCode: step.code,
          handlerId: handler?.id ?? null,
          teamId,
          channel: input.channel,
          replyAddress: input.replyAddress ?? null,
          message,
          status: 'open',
          count: 1,
          createdAt: now,
          lastHurriedAt: now,
          escalateAt: addWorkingMinutes(now, ESCALATE_AFTER_WORKING_MINUTES, ctx.calendar, options.workingHours, ctx.timeZone),
        });
        staff.audit(id, 'created', 'customer', now, input.channel);
        const row = staff.hurry(id)!;
        const receipt = customerRecipient(application, row);
        const answeredInChat = input.receiptInReply === true && receipt.only.channel === input.channel && receipt.only.address === input.replyAddress;
        if (!answeredInChat) notices.queue('hurry_received', receipt, { applicationNo: application.applicationNo, reference: id, stepName: step.name });
        const recipients = handler ? [handler] : leadsOf(teamId);
        for (const recipient of recipients) {
          notices.queue('hurry_for_handler', { kind: 'handler', handlerId: recipient.id, phone: recipient.phone, applicationNo: application.applicationNo }, {
            applicationNo: application.applicationNo,
            customerName: application.customerName,
            stepName: step.name,
            message,
            stepWorkdays: workdaysRunning(stepRow?.actualStart ?? null, now),
          });
        }
        return { result: { hurry: view(row), handlerName: handler?.name ?? null }, touched: [row] };
      });
      if ('refused' in outcome) throw outcome.refused;
      // a press that goes through starts the cooldown now, whether the request is new or pressed again after it
      return { ...outcome, nextHurryAt: instant(now + cooldownMs)! };
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
        const touched = staff.hurriesToEscalate(now).map((row) => escalate(row, 'unacknowledged', now));
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
