// Turns what happened into outbox rows — one per recipient and channel — inside the transaction that caused it.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { ChannelKind, MessageAttachment, MessageContent } from '../../channels/channel.ts';
import type { QuietHours } from '../config.ts';
import { findProcess, findStep } from '../domain/catalog.ts';
import { calendarDateOf } from '../domain/dates.ts';
import { heldByQuietHours, releaseAfterQuietHours } from '../domain/delivery-policy.ts';
import { isEmailNoticeKind, isWecomNoticeKind, mutable, noticeDefinitions, type NoticeKind, type NoticeVariables } from '../domain/notices.ts';
import type { ApplicationRow } from '../../db/application-store.ts';
import type { MuteStore } from '../../db/mute-store.ts';
import type { OutboxStore } from '../../db/outbox-store.ts';
import type { ServiceContext } from './context.ts';
import type { IngestChanges } from './ingest.ts';
import type { EmailTemplates } from './email-templates.ts';
import type { EmailUnsubscribe } from './email-unsubscribe.ts';
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
  outbox: OutboxStore;
  /** applications the customer muted for an address (免打扰): their non-mandatory notices are not written */
  mutes: MuteStore;
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
}

export interface QueueExtras {
  /** files an e-mail of this notice carries (the digest's timeliness CSV); other channels leave them out */
  attachments?: MessageAttachment[];
}

export function createNoticeWriter(options: NoticeWriterOptions) {
  const { ctx, outbox, templates, emailTemplates, log } = options;
  const { store } = ctx;

  /**
   * Every channel address a customer notice for this application goes to (opted-out ones are left out by `queue`):
   * the application's phone, and the account's bindings whose scope covers this application — a contact that
   * proved another application of the account (another site, another phone and query code) is not told of this one.
   */
  function customerAddresses(kind: NoticeKind, recipient: Extract<NoticeRecipient, { kind: 'customer' }>): { channel: ChannelKind; address: string }[] {
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
    for (const binding of outbox.bindingsCovering(accountNo, applicationNo)) add(binding.channel as ChannelKind, binding.address);
    if (isEmailNoticeKind(kind)) {
      const email = 'email' in recipient.application ? recipient.application.email : store.application(applicationNo)?.email;
      if (email) add('email', email);
    }
    return addresses;
  }

  /** A handler's SMS, and their WeCom and e-mail for the kinds that also go there. */
  function handlerAddresses(kind: NoticeKind, recipient: Extract<NoticeRecipient, { kind: 'handler' }>): { channel: ChannelKind; address: string }[] {
    const addresses: { channel: ChannelKind; address: string }[] = [{ channel: 'sms', address: recipient.phone }];
    const handler = store.handler(recipient.handlerId);
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

  /** Writes the notice's outbox rows; must run inside the caller's transaction. Returns the row ids. */
  function queue<K extends NoticeKind>(kind: K, recipient: NoticeRecipient, variables: NoticeVariables[K], extras: QueueExtras = {}): string[] {
    const now = ctx.clock.now();
    const definition = noticeDefinitions[kind];
    const addresses = recipient.kind === 'customer' ? customerAddresses(kind, recipient) : handlerAddresses(kind, recipient);
    const processCode = recipient.kind === 'customer' ? recipient.application.processCode : null;
    const applicationNo = recipient.kind === 'customer' ? recipient.application.applicationNo : recipient.applicationNo;
    const ids: string[] = [];
    for (const { channel, address } of addresses) {
      if (outbox.isOptedOut(channel, address)) continue;
      if (applicationNo && mutable({ recipientKind: recipient.kind, noticeKind: kind }) && options.mutes.isMuted(applicationNo, channel, address)) continue;
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
        createdAt: now,
      };
      let rendered;
      try {
        rendered = render(kind, channel, address, recipient, variables, extras, { processCode, today: calendarDateOf(now, ctx.timeZone), now });
      } catch (error) {
        // The event that caused it is kept; the notice is kept too, as a failed row staff and admins see, and counted.
        log.error({ err: error, kind, channel, applicationNo }, 'notice could not be rendered');
        const problem = error instanceof Error ? error.message : String(error);
        outbox.insertUnrendered({ ...row, text: '', content: null, segments: 0, nextAttemptAt: now }, `not rendered: ${problem}`);
        options.onUnrendered?.({ kind, channel });
        continue;
      }
      const quiet = heldByQuietHours({ channel, recipientKind: recipient.kind, urgent: definition.urgent });
      outbox.insert({
        ...row,
        text: rendered.text,
        content: rendered.content,
        segments: rendered.segments ?? 1,
        nextAttemptAt: quiet ? releaseAfterQuietHours(now, options.quietHours, ctx.timeZone) : now,
      });
      ids.push(id);
    }
    return ids;
  }

  function stepStarted(application: ApplicationRow, stepCode: string): void {
    const process = findProcess(ctx.catalog, application.processCode);
    const step = process && findStep(process, stepCode);
    if (!process || !step) return;
    const rows = store.steps(application.applicationNo);
    const row = rows.find((s) => s.stepCode === stepCode);
    // A step started and finished within one sync (history arriving late) is no news to the customer.
    if (!row || row.status !== 'in_progress') return;
    const position = process.steps.findIndex((s) => s.code === stepCode);
    const next = process.steps.slice(position + 1).find((s) => rows.find((r) => r.stepCode === s.code)?.status === 'pending');
    const nextRow = next && rows.find((r) => r.stepCode === next.code);
    const handler = row.handlerId ? store.handler(row.handlerId) : undefined;
    const dueDate = row.dueAt !== null ? calendarDateOf(row.dueAt, ctx.timeZone) : row.plannedEnd;
    if (!dueDate || !application.expectedConnectDate) return;
    queue('step_started', { kind: 'customer', application }, {
      customerName: application.customerName,
      applicationNo: application.applicationNo,
      processName: process.name,
      step: { name: step.name, dueDate, customerTasks: step.customerTasks },
      nextStep: next && nextRow?.plannedStart ? { name: next.name, plannedStart: nextRow.plannedStart } : null,
      handler: handler ? { name: handler.name, phone: handler.phone } : null,
      expectedConnectDate: application.expectedConnectDate,
    });
  }

  function planNotice(application: ApplicationRow, previous: string | null): void {
    if (!application.expectedConnectDate) return;
    const base = {
      customerName: application.customerName,
      applicationNo: application.applicationNo,
      expectedConnectDate: application.expectedConnectDate,
      requestedConnectDate: application.requestedConnectDate,
      feasible: application.planFeasible,
      earliestFeasibleDate: application.earliestFeasibleDate,
    };
    if (previous === null) queue('plan_created', { kind: 'customer', application }, base);
    else queue('plan_changed', { kind: 'customer', application }, { ...base, previousExpectedConnectDate: previous });
  }

  return {
    queue,

    /** The ingest hook: step_started, plan_created / plan_changed and connected notices for what a sync changed. */
    onIngest(changes: IngestChanges): void {
      const applications = new Map<string, ApplicationRow | undefined>();
      const applicationOf = (no: string) => {
        if (!applications.has(no)) applications.set(no, store.application(no));
        const row = applications.get(no);
        return row && row.status === 'active' ? row : undefined;
      };
      for (const replan of changes.replans) {
        const application = applicationOf(replan.applicationNo);
        if (!application) continue;
        if (replan.first) planNotice(application, null);
        else if (replan.previousExpectedConnectDate !== null && replan.previousExpectedConnectDate !== replan.expectedConnectDate) {
          planNotice(application, replan.previousExpectedConnectDate);
        }
      }
      const started = new Set<string>();
      for (const { applicationNo, stepCode, from } of changes.startedSteps) {
        // A corrected start time of a step already in progress is no news: the customer was told when it started.
        if (from === 'in_progress') continue;
        const key = `${applicationNo}/${stepCode}`;
        if (started.has(key)) continue;
        started.add(key);
        const application = applicationOf(applicationNo);
        if (application) stepStarted(application, stepCode);
      }
      for (const { applicationNo, stepCode, from } of changes.completedSteps) {
        // A corrected completion time of a step already done is no news either.
        if (from === 'done') continue;
        const application = store.application(applicationNo);
        if (!application || application.status === 'cancelled') continue;
        // The connection (装表接电) is the last step of every process.
        if (findProcess(ctx.catalog, application.processCode)?.steps.at(-1)?.code !== stepCode) continue;
        queue('connected', { kind: 'customer', application }, {
          customerName: application.customerName,
          applicationNo,
          ratingHint: options.ratingHint ?? '回复1-5为本次服务评分',
        });
      }
    },
  };
}

export type NoticeWriter = ReturnType<typeof createNoticeWriter>;
