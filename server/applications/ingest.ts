// The mirror: handlers, applications and step events from the marketing system, each fact in one transaction.
import { createHash, createHmac } from 'node:crypto';
import { Compile } from 'typebox/compile';
import type { ApplicationRow, ApplicationStore } from './application-store.ts';
import { findProcess } from '../domain/catalog.ts';
import { addDays, calendarDateOf, endOfDay, parseInstant, startOfDay } from '../domain/dates.ts';
import { cleanText, type TextKind } from '../domain/text-input.ts';
import { applyStepEvent, type StepState } from '../domain/step-state.ts';
import { workdaysTaken } from '../domain/typical-durations.ts';
import { DEFAULT_WORKING_HOURS } from '../domain/working-time.ts';
import { describeValidationIssue } from '../http-errors.ts';
import { invalid } from '../errors.ts';
import { SyncEvent, type ApplicationBody, type BatchResult, type HandlerBody } from '../schemas/sync.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Stores } from '../stores.ts';
import { replanApplication } from './planning.ts';
import type { ChangeFlow, IngestChanges } from './change-flow.ts';

export type { ChangeListener, IngestChanges, IngestHooks } from './change-flow.ts';

const checkEvent = Compile(SyncEvent);
/** how far before the working calendar's end the last accepted fact (an event's `at`, an `acceptedAt`) may be */
const PLANNING_HORIZON_DAYS = 366;

/** A name or free text from the sync body, cleaned by text-input's rule; a rejected one is a 400 naming the field. */
function cleaned(field: string, kind: TextKind, value: string): string {
  const result = cleanText(kind, value);
  if (!result.ok) throw invalid(`body.${field} ${result.problem}`);
  return result.value;
}

export function queryCodeHmac(secret: string, accountNo: string, queryCode: string): string {
  return createHmac('sha256', secret).update(`query-code\u0000${accountNo}\u0000${queryCode}`).digest('hex');
}

export function createIngestService(ctx: ServiceContext, stores: Stores, flow: ChangeFlow) {
  /** Dates outside the working calendar cannot be planned or timed: such input is rejected, not a 500. */
  const inCalendar = (date: string) => date >= ctx.calendar.range.from && date <= ctx.calendar.range.to;
  /** Plans can only be made on the calendar's years. */
  function checkRequestedDate(date: string | null): void {
    if (date !== null && !inCalendar(date)) {
      throw invalid(`body.requestedConnectDate must be between ${ctx.calendar.range.from} and ${ctx.calendar.range.to}`);
    }
  }
  const calendarStart = startOfDay(ctx.calendar.range.from, ctx.timeZone);
  // A plan runs months past its latest fact, so a fact in the calendar's last year could be planned past its end (a
  // RangeError that would fail the whole batch): facts stop a year before it. CALENDAR_PATH can extend the calendar.
  const lastFactDay = addDays(ctx.calendar.range.to, -PLANNING_HORIZON_DAYS);
  const factsEnd = endOfDay(lastFactDay, ctx.timeZone);

  const { consequences, publish, write } = flow;
  const emptyChanges = flow.empty;

  async function applyEvent(
    store: ApplicationStore,
    application: ApplicationRow,
    event: { stepCode: string; type: 'step_started' | 'step_completed'; at: number; handlerId: string | null },
    changes: IngestChanges,
  ): Promise<void> {
    const row = await store.step(application.applicationNo, event.stepCode);
    if (!row) return;
    const before: StepState = row;
    const after = applyStepEvent(before, event);
    if (after === before) return;
    await store.updateStepState({ applicationNo: application.applicationNo, stepCode: event.stepCode, ...after });
    if (after.status === 'in_progress' && (before.status !== 'in_progress' || before.actualStart !== after.actualStart)) {
      changes.startedSteps.push({ applicationNo: application.applicationNo, stepCode: event.stepCode, from: before.status, at: event.at });
    }
    if (after.status === 'done' && after.actualEnd !== null && (before.status !== 'done' || before.actualEnd !== after.actualEnd)) {
      const workdays = workdaysTaken(after.actualStart ?? after.actualEnd, after.actualEnd, ctx.calendar, ctx.workingHours ?? DEFAULT_WORKING_HOURS, ctx.timeZone);
      await store.recordCompletion({
        applicationNo: application.applicationNo,
        processCode: application.processCode,
        stepCode: event.stepCode,
        completedAt: after.actualEnd,
        workdays,
      });
      await ctx.learnt.completed(store, application.processCode, event.stepCode, workdays);
      const startedInBatch = changes.startedSteps.some((s) => s.applicationNo === application.applicationNo && s.stepCode === event.stepCode);
      const runningDueAt = before.status === 'in_progress' && !startedInBatch ? row.dueAt : null;
      changes.completedSteps.push({ applicationNo: application.applicationNo, stepCode: event.stepCode, from: before.status, runningDueAt, at: event.at });
    }
    changes.applications.add(application.applicationNo);
  }

  /** Keeps one step row per process step; rows of steps the process no longer has are removed. */
  async function ensureSteps(store: ApplicationStore, applicationNo: string, processCode: string): Promise<void> {
    const process = findProcess(ctx.catalog, processCode)!;
    const existing = new Map((await store.steps(applicationNo)).map((s) => [s.stepCode, s]));
    for (const [position, step] of process.steps.entries()) {
      const row = existing.get(step.code);
      if (!row) await store.addStep(applicationNo, step.code, position);
      else if (row.position !== position) await store.moveStep(applicationNo, step.code, position);
      existing.delete(step.code);
    }
    for (const stale of existing.keys()) await store.removeStep(applicationNo, stale);
  }

  return {
    checkRequestedDate,

    async upsertHandler(handlerId: string, raw: HandlerBody) {
      const body = { ...raw, name: cleaned('name', 'name', raw.name), teamName: cleaned('teamName', 'name', raw.teamName) };
      const now = ctx.clock.now();
      // a PUT replaces the handler: a contact left out is no longer there
      const contacts = { wecomUserId: body.wecomUserId ?? null, email: body.email ?? null };
      await write(({ applications }) =>
        applications.upsertHandler({ id: handlerId, name: body.name, phone: body.phone, teamId: body.teamId, teamName: body.teamName, role: body.role, ...contacts }, now),
      );
      const { wecomUserId, email, ...handler } = (await stores.applications.handler(handlerId))!;
      // the optional contacts are in the reply when set, so a marketing system that never sends them sees the reply it knew
      return { ...handler, ...(wecomUserId !== null && { wecomUserId }), ...(email !== null && { email }) };
    },

    /** Creates or updates an application; an identical body changes nothing. */
    async upsertApplication(applicationNo: string, body: ApplicationBody): Promise<{ created: boolean; changed: boolean }> {
      if (!findProcess(ctx.catalog, body.processCode)) {
        throw invalid(`body.processCode "${body.processCode}" is not a process in the catalog`);
      }
      const acceptedAt = parseInstant(body.acceptedAt);
      if (acceptedAt === null) throw invalid('body.acceptedAt must be an ISO date-time with offset');
      if (acceptedAt < calendarStart || acceptedAt > factsEnd) {
        throw invalid(`body.acceptedAt must be between ${ctx.calendar.range.from} and ${lastFactDay}`);
      }
      checkRequestedDate(body.requestedConnectDate ?? null);
      const fields = {
        accountNo: body.accountNo,
        customerName: cleaned('customerName', 'name', body.customerName),
        processCode: body.processCode,
        capacityKva: body.capacityKva ?? null,
        address: cleaned('address', 'text', body.address ?? ''),
        phone: body.phone,
        queryCodeHmac: queryCodeHmac(ctx.secret, body.accountNo, body.queryCode),
        requestedConnectDate: body.requestedConnectDate ?? null,
        acceptedAt,
        status: body.status,
        accountManagerId: body.accountManagerId ?? null,
        email: body.email ?? null,
      };
      // An application without an e-mail digests as it did before the field existed, so its next identical upsert
      // is still recognised as a no-op.
      const { email: _email, ...withoutEmail } = fields;
      const sourceDigest = createHash('sha256').update(JSON.stringify(fields.email === null ? withoutEmail : fields)).digest('base64url');
      const now = ctx.clock.now();
      const changes = emptyChanges();
      const result = await write(async (all) => {
        const store = all.applications;
        const existing = await store.applicationForUpdate(applicationNo);
        if (existing && existing.sourceDigest === sourceDigest) return { created: false, changed: false };
        if (existing) await store.updateApplicationSource(applicationNo, fields, sourceDigest, now);
        else await store.insertApplication({ applicationNo, ...fields, sourceDigest, plannedOn: calendarDateOf(now, ctx.timeZone) }, now);
        await ensureSteps(store, applicationNo, fields.processCode);
        const application = (await store.application(applicationNo))!;
        const process = findProcess(ctx.catalog, fields.processCode)!;
        for (const parked of await store.parkedEvents(applicationNo)) {
          if (!process.steps.some((s) => s.code === parked.stepCode)) {
            await store.settleParkedEvent(parked.eventId, 'rejected', null, `stepCode "${parked.stepCode}" is not a step of process ${process.code}`);
            continue;
          }
          await applyEvent(store, application, parked, changes);
          await store.settleParkedEvent(parked.eventId, 'applied', now, null);
        }
        changes.applications.add(applicationNo);
        changes.replans.push(await replanApplication(ctx, store, (await store.application(applicationNo))!, now, !existing));
        await consequences(changes, all);
        return { created: !existing, changed: true };
      });
      publish(changes);
      return result;
    },

    /** Judges each event on its own; the whole batch is written in one transaction. */
    async ingestEvents(events: unknown[]): Promise<BatchResult> {
      const result: BatchResult = { accepted: 0, duplicates: 0, parked: 0, rejected: [] };
      const valid: { event: SyncEvent; at: number }[] = [];
      events.forEach((raw, index) => {
        const eventId = typeof raw === 'object' && raw !== null && typeof (raw as { eventId?: unknown }).eventId === 'string' ? (raw as { eventId: string }).eventId : null;
        if (!checkEvent.Check(raw)) {
          const issue = checkEvent.Errors(raw)[0]!;
          result.rejected.push({ eventId, code: 'JD_INVALID_REQUEST', message: describeValidationIssue(`body.events[${index}]`, issue) });
          return;
        }
        const at = parseInstant(raw.at);
        if (at === null) {
          result.rejected.push({ eventId, code: 'JD_INVALID_REQUEST', message: `body.events[${index}].at must be an ISO date-time with offset` });
          return;
        }
        if (at < calendarStart || at > factsEnd) {
          const { from } = ctx.calendar.range;
          result.rejected.push({ eventId, code: 'JD_INVALID_REQUEST', message: `body.events[${index}].at must be between ${from} and ${lastFactDay}` });
          return;
        }
        valid.push({ event: raw, at });
      });
      const now = ctx.clock.now();
      const changes = emptyChanges();
      await write(async (all) => {
        const store = all.applications;
        // the batch's applications, locked (PostgreSQL) until it commits: a re-plan of one of them waits, then reads this
        const applications = await store.applicationsForUpdate(valid.map(({ event }) => event.applicationNo));
        const dirty = new Set<string>();
        for (const { event, at } of valid) {
          if (await store.eventExists(event.eventId)) {
            result.duplicates++;
            continue;
          }
          const application = applications.get(event.applicationNo);
          const row = { eventId: event.eventId, applicationNo: event.applicationNo, stepCode: event.stepCode, type: event.type, at, handlerId: event.handlerId ?? null, receivedAt: now };
          if (!application) {
            await store.insertEvent({ ...row, state: 'parked', appliedAt: null });
            result.parked++;
            continue;
          }
          const process = findProcess(ctx.catalog, application.processCode)!;
          if (!process.steps.some((s) => s.code === event.stepCode)) {
            result.rejected.push({ eventId: event.eventId, code: 'JD_INVALID_REQUEST', message: `stepCode "${event.stepCode}" is not a step of process ${process.code}` });
            continue;
          }
          await applyEvent(store, application, row, changes);
          await store.insertEvent({ ...row, state: 'applied', appliedAt: now });
          dirty.add(application.applicationNo);
          result.accepted++;
        }
        for (const applicationNo of dirty) {
          changes.applications.add(applicationNo);
          changes.replans.push(await replanApplication(ctx, store, (await store.application(applicationNo))!, now));
        }
        await consequences(changes, all);
      });
      publish(changes);
      return result;
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
