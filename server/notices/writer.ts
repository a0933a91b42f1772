// Turns what happened into outbox rows — one per recipient and channel — inside the unit of work that caused it,
// through that unit of work's stores.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { ChannelKind, MessageAttachment, MessageContent } from '../../channels/channel.ts';
import type { QuietHours } from '../config.ts';
import { findProcess, findStep } from '../domain/catalog.ts';
import { addDays, calendarDateOf, startOfDay } from '../domain/dates.ts';
import { heldByQuietHours, releaseAfterQuietHours } from '../domain/delivery-policy.ts';
import { isLateFact, planChangeWorthText } from '../domain/notice-policy.ts';
import { isEmailNoticeKind, isWecomNoticeKind, mutable, noticeDefinitions, type NoticeKind, type NoticeVariables, type PlanChangedVariables } from '../domain/notices.ts';
import type { ApplicationRow } from '../applications/application-store.ts';
import type { Stores } from '../stores.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { IngestChanges } from '../applications/ingest.ts';
import type { EmailTemplates } from './email-templates.ts';
import type { EmailUnsubscribe } from './email-unsubscribe.ts';
import type { Replanned } from '../applications/planning.ts';
import type { NoticeTemplates } from './notice-templates.ts';

export type NoticeRecipient =
  | {
      kind: 'customer';
      application: Pick<ApplicationRow, 'applicationNo' | 'accountNo' | 'phone' | 'processCode'> & { email?: string | null };
      only?: { channel: ChannelKind; address: string };
    }
  | { kind: 'handler'; handlerId: string; phone: string; applicationNo: string | null };

export interface NoticeWriterOptions {
  ctx: ServiceContext;
  templates: NoticeTemplates;
  emailTemplates: EmailTemplates;
  /** signed unsubscribe links in customer e-mails */
  unsubscribe: EmailUnsubscribe;
  quietHours: QuietHours | null;
  log: FastifyBaseLogger;
  /** customers are rated after connection here */
  ratingHint?: string;
  /** a notice could not be rendered (metrics); it is kept as a failed outbox row as well */
  onUnrendered?: (notice: { kind: NoticeKind; channel: ChannelKind }) => void;
  /** LATE_EVENT_HORIZON_HOURS: facts older than this on arrival text the customer only the current state, once */
  lateEventHorizonHours?: number;
  /** PLAN_CHANGE_MIN_WORKDAYS: the least later move of the expected date worth a text of its own */
  planChangeMinWorkdays?: number;
}

/**
 * The unit of work's stores the writer reads and writes through (`app.transact(async (stores) => …)`): the outbox,
 * the customer's mutes (免打扰: a muted application's non-mandatory notices are not written to that address) and the
 * bindings covering an application.
 */
export type NoticeStores = Pick<Stores, 'applications' | 'bindings' | 'mutes' | 'outbox'>;

export interface QueueExtras {
  /** files an e-mail of this notice carries (the digest's timeliness CSV); other channels leave them out */
  attachments?: MessageAttachment[];
}

export interface QueueOptions {
  /**
   * What the notice tells, for superseding (a newer customer notice on a topic supersedes the pending older one).
   * Defaults: `plan` for plan notices, none for the others.
   */
  topic?: string | null;
  /** not sent before this instant (the catch-up text's settling time, the next day's plan-change text) */
  notBefore?: number;
}

/**
 * The one text after late facts waits this long for the rest of the same backlog (an outage's events arrive one
 * after another), each newer one replacing it, so the customer hears the state the backlog ends in, once.
 */
export const CATCH_UP_SETTLE_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

const defaultTopic = (kind: NoticeKind): string | null => (kind === 'plan_created' || kind === 'plan_changed' ? 'plan' : null);
const stepTopic = (stepCode: string) => `step:${stepCode}`;

export function createNoticeWriter(options: NoticeWriterOptions) {
  const { ctx, templates, emailTemplates, log } = options;
  const lateHorizonMs = (options.lateEventHorizonHours ?? 24) * HOUR_MS;
  const planChangeMinWorkdays = options.planChangeMinWorkdays ?? 3;

  /**
   * Every channel address a customer notice for this application goes to (opted-out ones are left out by `queue`):
   * the application's phone, and the account's bindings whose scope covers this application — a contact that
   * proved another application of the account (another site, another phone and query code) is not told of this one.
   */
  async function customerAddresses(
    stores: NoticeStores,
    kind: NoticeKind,
    recipient: Extract<NoticeRecipient, { kind: 'customer' }>,
  ): Promise<{ channel: ChannelKind; address: string }[]> {
    if (recipient.only) return [recipient.only];
    const seen = new Set<string>();
    const addresses: { channel: ChannelKind; address: string }[] = [];
    const add = (channel: ChannelKind, address: string) => {
      const key = `${channel}\u0000${address}`;
      if (!seen.has(key)) {
        seen.add(key);
        addresses.push({ channel, address });
      }
    };
    add('sms', recipient.application.phone);
    const { accountNo, applicationNo } = recipient.application;
    for (const binding of await stores.bindings.covering(accountNo, applicationNo)) add(binding.channel, binding.address);
    if (isEmailNoticeKind(kind)) {
      const email = 'email' in recipient.application ? recipient.application.email : (await stores.applications.application(applicationNo))?.email;
      if (email) add('email', email);
    }
    return addresses;
  }

  /** A handler's SMS, and their WeCom and e-mail for the kinds that also go there. */
  async function handlerAddresses(
    stores: NoticeStores,
    kind: NoticeKind,
    recipient: Extract<NoticeRecipient, { kind: 'handler' }>,
  ): Promise<{ channel: ChannelKind; address: string }[]> {
    const addresses: { channel: ChannelKind; address: string }[] = [{ channel: 'sms', address: recipient.phone }];
    const handler = await stores.applications.handler(recipient.handlerId);
    if (handler?.wecomUserId && isWecomNoticeKind(kind)) addresses.push({ channel: 'wecom', address: handler.wecomUserId });
    if (handler?.email && isEmailNoticeKind(kind)) addresses.push({ channel: 'email', address: handler.email });
    return addresses;
  }

  /** The row's text (for e-mail its plain-text part) and, for e-mail, its other parts. */
  function render<K extends NoticeKind>(
    kind: K,
    channel: ChannelKind,
    address: string,
    recipient: NoticeRecipient,
    variables: NoticeVariables[K],
    extras: QueueExtras,
    at: { processCode: string | null; today: string; now: number },
  ): { text: string; segments: number | null; content: MessageContent | null } {
    if (channel !== 'email') return { ...templates.render(kind, channel, variables, at), content: null };
    if (!isEmailNoticeKind(kind)) throw new Error(`no e-mail template for ${kind}`);
    const unsubscribeUrl = recipient.kind === 'customer' ? options.unsubscribe.link(address, at.now) : null;
    const email = emailTemplates.render(kind, variables as NoticeVariables[typeof kind], { today: at.today, unsubscribeUrl });
    return {
      text: email.text,
      segments: 1,
      content: { subject: email.subject, html: email.html, attachments: extras.attachments ?? [], unsubscribeUrl },
    };
  }

  /** Writes the notice's outbox rows through the caller's unit of work's stores. Returns the row ids. */
  async function queue<K extends NoticeKind>(
    stores: NoticeStores,
    kind: K,
    recipient: NoticeRecipient,
    variables: NoticeVariables[K],
    extras: QueueExtras & QueueOptions = {},
  ): Promise<string[]> {
    const { outbox } = stores;
    const now = ctx.clock.now();
    const definition = noticeDefinitions[kind];
    const addresses = recipient.kind === 'customer' ? await customerAddresses(stores, kind, recipient) : await handlerAddresses(stores, kind, recipient);
    const topic = extras.topic !== undefined ? extras.topic : defaultTopic(kind);
    const notBefore = Math.max(now, extras.notBefore ?? now);
    if (recipient.kind === 'customer' && topic !== null) {
      await outbox.supersede(recipient.application.applicationNo, [topic], now, `superseded by a newer ${kind}`);
    }
    const processCode = recipient.kind === 'customer' ? recipient.application.processCode : null;
    const applicationNo = recipient.kind === 'customer' ? recipient.application.applicationNo : recipient.applicationNo;
    const ids: string[] = [];
    for (const { channel, address } of addresses) {
      if (await outbox.isOptedOut(channel, address)) continue;
      if (applicationNo && mutable({ recipientKind: recipient.kind, noticeKind: kind }) && (await stores.mutes.isMuted(applicationNo, channel, address))) continue;
      const id = randomUUID();
      const row = {
        id,
        applicationNo,
        recipientKind: recipient.kind,
        recipientRef: recipient.kind === 'customer' ? recipient.application.accountNo : recipient.handlerId,
        channel,
        address,
        noticeKind: kind,
        variables,
        urgent: definition.urgent,
        lane: definition.mandatory ? 0 : 1,
        topic,
        createdAt: now,
      };
      let rendered;
      try {
        rendered = render(kind, channel, address, recipient, variables, extras, { processCode, today: calendarDateOf(now, ctx.timeZone), now });
      } catch (error) {
        // The event that caused it is kept; the notice is kept too, as a failed row staff and admins see, and counted.
        log.error({ err: error, kind, channel, applicationNo }, 'notice could not be rendered');
        const problem = error instanceof Error ? error.message : String(error);
        await outbox.insertUnrendered({ ...row, text: '', content: null, segments: 0, nextAttemptAt: now }, `not rendered: ${problem}`);
        options.onUnrendered?.({ kind, channel });
        continue;
      }
      const quiet = heldByQuietHours({ channel, recipientKind: recipient.kind, urgent: definition.urgent });
      await outbox.insert({
        ...row,
        text: rendered.text,
        content: rendered.content,
        segments: rendered.segments ?? 1,
        nextAttemptAt: quiet ? releaseAfterQuietHours(notBefore, options.quietHours, ctx.timeZone) : notBefore,
      });
      ids.push(id);
    }
    return ids;
  }

  async function stepStarted(stores: NoticeStores, application: ApplicationRow, stepCode: string, queueOptions: QueueOptions = {}): Promise<void> {
    const process = findProcess(ctx.catalog, application.processCode);
    const step = process && findStep(process, stepCode);
    if (!process || !step) return;
    const rows = await stores.applications.steps(application.applicationNo);
    const row = rows.find((s) => s.stepCode === stepCode);
    // A step started and finished within one sync (history arriving late) is no news to the customer.
    if (!row || row.status !== 'in_progress') return;
    const position = process.steps.findIndex((s) => s.code === stepCode);
    const next = process.steps.slice(position + 1).find((s) => rows.find((r) => r.stepCode === s.code)?.status === 'pending');
    const nextRow = next && rows.find((r) => r.stepCode === next.code);
    const handler = row.handlerId ? await stores.applications.handler(row.handlerId) : undefined;
    const dueDate = row.dueAt !== null ? calendarDateOf(row.dueAt, ctx.timeZone) : row.plannedEnd;
    if (!dueDate || !application.expectedConnectDate) return;
    await queue(stores, 'step_started', { kind: 'customer', application }, {
      customerName: application.customerName,
      applicationNo: application.applicationNo,
      processName: process.name,
      step: { name: step.name, dueDate, customerTasks: step.customerTasks },
      nextStep: next && nextRow?.plannedStart ? { name: next.name, plannedStart: nextRow.plannedStart } : null,
      handler: handler ? { name: handler.name, phone: handler.phone } : null,
      expectedConnectDate: application.expectedConnectDate,
      // the fixed regulatory sentence goes once per application: with the plan notice, or the first step notice
      includeRegulation: !(await stores.outbox.regulationCarried(application.applicationNo)),
    }, { topic: stepTopic(stepCode), ...queueOptions });
  }

  function planVariables(application: ApplicationRow & { expectedConnectDate: string }) {
    return {
      customerName: application.customerName,
      applicationNo: application.applicationNo,
      expectedConnectDate: application.expectedConnectDate,
      requestedConnectDate: application.requestedConnectDate,
      feasible: application.planFeasible,
      earliestFeasibleDate: application.earliestFeasibleDate,
    };
  }

  async function planCreated(stores: NoticeStores, application: ApplicationRow, queueOptions: QueueOptions = {}): Promise<void> {
    if (!application.expectedConnectDate) return;
    await queue(stores, 'plan_created', { kind: 'customer', application }, planVariables({ ...application, expectedConnectDate: application.expectedConnectDate }), queueOptions);
  }

  /**
   * A re-plan moved the expected date or flipped feasibility. A text only when it matters (planChangeWorthText), at
   * most one a day: a newer change replaces one not yet sent, and one after a text sent today waits for tomorrow.
   */
  async function planChanged(stores: NoticeStores, application: ApplicationRow, replan: Replanned): Promise<void> {
    const expected = application.expectedConnectDate;
    if (!expected || replan.previousExpectedConnectDate === null) return;
    const now = ctx.clock.now();
    const unsent = await stores.outbox.supersede(application.applicationNo, ['plan'], now, 'superseded by a newer plan');
    // The customer has not heard the first plan yet: they hear the current one instead.
    if (unsent.some((r) => r.noticeKind === 'plan_created')) return planCreated(stores, application);
    const told = unsent.find((r) => r.noticeKind === 'plan_changed')?.variables as PlanChangedVariables | undefined;
    const previous = told?.previousExpectedConnectDate ?? replan.previousExpectedConnectDate;
    const move = { previous, next: expected, previousFeasible: replan.previousFeasible, feasible: application.planFeasible };
    if (!planChangeWorthText(move, planChangeMinWorkdays, ctx.calendar)) return;
    const today = calendarDateOf(now, ctx.timeZone);
    const sentToday = await stores.outbox.sentSince(application.applicationNo, 'plan_changed', startOfDay(today, ctx.timeZone));
    await queue(stores, 'plan_changed', { kind: 'customer', application }, { ...planVariables({ ...application, expectedConnectDate: expected }), previousExpectedConnectDate: previous }, {
      notBefore: sentToday ? startOfDay(addDays(today, 1), ctx.timeZone) : now,
    });
  }

  async function connected(stores: NoticeStores, application: ApplicationRow, queueOptions: QueueOptions = {}): Promise<void> {
    // power is on: no step or plan notice still queued is news any more
    await stores.outbox.supersede(application.applicationNo, null, ctx.clock.now(), 'superseded: the application is connected');
    await queue(stores, 'connected', { kind: 'customer', application }, {
      customerName: application.customerName,
      applicationNo: application.applicationNo,
      ratingHint: options.ratingHint ?? '回复1-5为本次服务评分',
    }, queueOptions);
  }

  return {
    queue,

    /**
     * The ingest hook: step_started, plan_created / plan_changed and connected notices for what a sync changed. An
     * application whose facts in this sync are all late (older than LATE_EVENT_HORIZON_HOURS) gets at most one text,
     * the state it is in now, held CATCH_UP_SETTLE_MS so the rest of a backlog replaces it rather than adds to it.
     */
    async onIngest(changes: IngestChanges, stores: NoticeStores): Promise<void> {
      const now = ctx.clock.now();
      const applications = new Map<string, ApplicationRow | undefined>();
      const applicationOf = async (no: string) => {
        if (!applications.has(no)) applications.set(no, await stores.applications.application(no));
        const row = applications.get(no);
        return row && row.status === 'active' ? row : undefined;
      };
      const factTimes = new Map<string, number[]>();
      for (const { applicationNo, at } of [...changes.startedSteps, ...changes.completedSteps]) {
        factTimes.set(applicationNo, [...(factTimes.get(applicationNo) ?? []), at]);
      }
      const first = new Set(changes.replans.filter((r) => r.first).map((r) => r.applicationNo));
      const late = new Set<string>();
      for (const applicationNo of changes.applications) {
        const application = await stores.applications.application(applicationNo);
        const times = [...(factTimes.get(applicationNo) ?? []), ...(first.has(applicationNo) && application ? [application.acceptedAt] : [])];
        if (times.length > 0 && times.every((at) => isLateFact(at, now, lateHorizonMs))) late.add(applicationNo);
      }

      for (const replan of changes.replans) {
        if (late.has(replan.applicationNo)) continue;
        const application = await applicationOf(replan.applicationNo);
        if (!application) continue;
        if (replan.first) await planCreated(stores, application);
        else if (replan.previousExpectedConnectDate !== replan.expectedConnectDate || (replan.previousFeasible !== null && replan.previousFeasible !== replan.feasible)) {
          await planChanged(stores, application, replan);
        }
        // a staff re-plan: the customer hears the new plan even when the expected date stays
        if (replan.requestedDateSet && replan.previousExpectedConnectDate === replan.expectedConnectDate) await planCreated(stores, application);
      }
      const started = new Set<string>();
      for (const { applicationNo, stepCode, from } of changes.startedSteps) {
        // A corrected start time of a step already in progress is no news: the customer was told when it started.
        if (from === 'in_progress' || late.has(applicationNo)) continue;
        const key = `${applicationNo}/${stepCode}`;
        if (started.has(key)) continue;
        started.add(key);
        const application = await applicationOf(applicationNo);
        if (application) await stepStarted(stores, application, stepCode);
      }
      for (const { applicationNo, stepCode, from } of changes.completedSteps) {
        // A corrected completion time of a step already done is no news either.
        if (from === 'done') continue;
        await stores.outbox.supersede(applicationNo, [stepTopic(stepCode)], now, 'superseded: the step has completed');
        if (late.has(applicationNo)) continue;
        const application = await stores.applications.application(applicationNo);
        if (!application || application.status === 'cancelled') continue;
        // The connection (装表接电) is the last step of every process.
        if (findProcess(ctx.catalog, application.processCode)?.steps.at(-1)?.code !== stepCode) continue;
        await connected(stores, application);
      }

      for (const applicationNo of late) await catchUp(stores, applicationNo, changes, first.has(applicationNo), now);
    },
  };

  /** The one text for an application whose facts arrived late: the state it is in now, replacing any not yet sent. */
  async function catchUp(stores: NoticeStores, applicationNo: string, changes: IngestChanges, firstPlan: boolean, now: number): Promise<void> {
    const application = await stores.applications.application(applicationNo);
    if (!application || application.status === 'cancelled') return;
    const process = findProcess(ctx.catalog, application.processCode);
    if (!process) return;
    const settle = { notBefore: now + CATCH_UP_SETTLE_MS };
    const lastStep = process.steps.at(-1)?.code;
    if (changes.completedSteps.some((c) => c.applicationNo === applicationNo && c.stepCode === lastStep && c.from !== 'done')) {
      return connected(stores, application, settle);
    }
    if (application.status !== 'active') return;
    const steps = await stores.applications.steps(applicationNo);
    const running = changes.startedSteps
      .filter((s) => s.applicationNo === applicationNo && s.from !== 'in_progress' && steps.find((r) => r.stepCode === s.stepCode)?.status === 'in_progress')
      .at(-1);
    if (running) {
      await stores.outbox.supersede(applicationNo, null, now, 'superseded by the current state after late events');
      return stepStarted(stores, application, running.stepCode, settle);
    }
    if (firstPlan) {
      await stores.outbox.supersede(applicationNo, null, now, 'superseded by the current state after late events');
      await planCreated(stores, application, settle);
    }
  }
}

export type NoticeWriter = ReturnType<typeof createNoticeWriter>;
