// The SLA sweep (时限监控): raises the warning and overdue alerts step occurrences owe and the application-level
// overdue alert, pushes them live at once, and texts handlers (and team leads) only in working time.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { findProcess, findStep } from '../domain/catalog.ts';
import { alertLevelAt } from '../domain/sla.ts';
import { nextWorkingTime, type WorkingHours } from '../domain/working-time.ts';
import type { Stores } from '../stores.ts';
import type { ApplicationStore } from '../applications/application-store.ts';
import type { Alert as AlertRow, AlertStore } from './alert-store.ts';
import type { AlertService } from './alerts.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { IngestChanges } from '../applications/ingest.ts';
import { runningDueAt } from '../applications/planning.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import { yieldToEventLoop } from '../event-loop.ts';

/**
 * Most rows one chunk transaction handles (raised alerts and held texts together). Each alert dirties ~8 pages (the
 * step's row and index entry, the alert's row and indexes, the outbox rows), so 100 rows keep a commit under the
 * WAL's 1000-page auto-checkpoint threshold: a checkpoint that lands on the commit has at most ~1,800 pages to copy.
 */
export const SLA_SWEEP_CHUNK = 100;
/**
 * Milliseconds of work after which a chunk commits and yields to the event loop, however much is left: better-sqlite3
 * blocks the loop while it works, so a backlog (a server down for an hour, alert times bunched on one instant) is
 * handled in stretches of about this long plus the commit, never in one long one. A chunk handles at least one row.
 */
export const SLA_SWEEP_CHUNK_MS = 10;
/** Rows read per statement within a chunk, so a chunk its time budget stops has read few rows it did not use. */
const READ_BATCH = 64;

export interface SlaSweepResult {
  warnings: number;
  overdue: number;
  applicationOverdue: number;
  /** alerts whose SMS were queued in this sweep */
  notified: number;
}

/** One chunk transaction of a sweep, as `onChunk` reports it. */
export interface SlaSweepChunk {
  /** step and application rows handled, and held alerts whose texts were released */
  rows: number;
  /** the transaction's wall time, its commit included */
  ms: number;
  /** of which the work before the commit */
  workMs: number;
}

export interface SlaChunkOptions {
  /** most rows per chunk transaction (SLA_SWEEP_CHUNK) */
  chunkSize?: number;
  /** work after which a chunk commits and yields (SLA_SWEEP_CHUNK_MS); 0: one row per chunk */
  chunkMs?: number;
  /** after each chunk's commit (benchmarks, tests) */
  onChunk?: (chunk: SlaSweepChunk) => void;
}

export interface SlaServiceOptions extends SlaChunkOptions {
  ctx: ServiceContext;
  alerts: AlertService;
  notices: NoticeWriter;
  workingHours: WorkingHours;
  log: FastifyBaseLogger;
  /** after commit: deliver the notices just queued */
  wakeDispatcher: () => void;
  /**
   * The transaction each chunk runs in (`AlertFeed.transaction`): its alerts are published here at once, so the feed
   * that publishes other processes' alerts must know them as this process's own.
   */
  transaction: <T>(work: (stores: Stores) => Promise<T>) => Promise<T>;
}

/** What a sweep still has to look at, as of its `now`; each source is done once a read comes back short. */
interface Sources {
  steps: boolean;
  applications: boolean;
  notices: boolean;
}

interface ChunkState {
  /** the chunk transaction's stores (the notices' too), its alert store and its applications */
  stores: Stores;
  store: AlertStore;
  applications: ApplicationStore;
  now: number;
  /** when texts may go out: `now` in working time */
  notifyAt: number;
  startedAt: number;
  workMs: number;
  rows: number;
  raised: AlertRow[];
  notified: number;
  /** team leads read in this chunk's transaction */
  leads: Map<string, { id: string; phone: string }[]>;
  /** the applications this chunk locked: only their rows are its to write */
  locked: { has(applicationNo: string): boolean };
}

export function createSlaService(options: SlaServiceOptions) {
  const { ctx, alerts, notices } = options;
  const maxRows = Math.max(1, options.chunkSize ?? SLA_SWEEP_CHUNK);
  const budgetMs = options.chunkMs ?? SLA_SWEEP_CHUNK_MS;
  const notifyFrom = (now: number) => nextWorkingTime(now, ctx.calendar, options.workingHours, ctx.timeZone);

  type AlertFields = Omit<AlertRow, 'id' | 'explanation' | 'explainedAt' | 'explainedBy' | 'handlerId' | 'teamId' | 'dueAt' | 'notifyAt' | 'notifiedAt'> &
    Partial<Pick<AlertRow, 'handlerId' | 'teamId' | 'dueAt' | 'notifyAt' | 'notifiedAt'>>;
  function alertRow(fields: AlertFields): AlertRow {
    return {
      id: randomUUID(),
      handlerId: null,
      teamId: null,
      dueAt: null,
      notifyAt: null,
      notifiedAt: null,
      ...fields,
      explanation: null,
      explainedAt: null,
      explainedBy: null,
    };
  }

  /** The chunk has done its share: its row cap, or its time budget once it has handled a row. */
  const full = (chunk: ChunkState) => chunk.rows >= maxRows || (chunk.rows > 0 && performance.now() - chunk.startedAt >= budgetMs);

  /** A live alert raised in `chunk`: claimed for texting at once in working time, else held until `notifyAt`. */
  const raisedIn = (chunk: ChunkState) => ({
    raisedAt: chunk.now,
    live: true,
    notifyAt: chunk.notifyAt,
    notifiedAt: chunk.notifyAt <= chunk.now ? chunk.now : null,
  });

  /**
   * The applications a chunk is to lock, as a first read (which locks nothing) finds its rows: each source's owed rows,
   * as many as the chunk may handle in all. A source with none has no more.
   */
  async function applicationsToLock(chunk: ChunkState, sources: Sources): Promise<string[]> {
    const { store, now } = chunk;
    const reads: Record<keyof Sources, (limit: number) => Promise<{ applicationNo: string }[]>> = {
      steps: (limit) => store.owingSteps(now, limit),
      applications: (limit) => store.owingApplications(now, limit),
      notices: (limit) => store.dueForNotice(now, limit),
    };
    const nos = new Set<string>();
    let room = maxRows;
    for (const source of ['steps', 'applications', 'notices'] as const) {
      if (!sources[source] || room === 0) continue;
      const rows = await reads[source](room);
      if (rows.length === 0) sources[source] = false;
      room -= rows.length;
      for (const row of rows) nos.add(row.applicationNo);
    }
    return [...nos];
  }

  /**
   * Handles `source`'s rows, read in batches, until the chunk is full or the source has no more. A row of an
   * application the chunk did not lock (written since its first read) is left for the next chunk, which locks it.
   */
  async function drain<T extends { applicationNo: string }>(
    chunk: ChunkState,
    sources: Sources,
    source: keyof Sources,
    read: (limit: number) => Promise<T[]>,
    handle: (row: T) => Promise<void>,
  ): Promise<void> {
    while (sources[source] && !full(chunk)) {
      const limit = Math.min(READ_BATCH, maxRows - chunk.rows);
      const rows = await read(limit);
      let i = 0;
      let left = 0;
      for (; i < rows.length && !full(chunk); i++) {
        if (!chunk.locked.has(rows[i]!.applicationNo)) {
          left++;
          continue;
        }
        chunk.rows++;
        await handle(rows[i]!);
      }
      if (i === rows.length && rows.length < limit && left === 0) sources[source] = false;
      // nothing read was this chunk's: reading again would find the same rows
      if (left === i) return;
    }
  }

  function stepNameOf(processCode: string, stepCode: string): string {
    const process = findProcess(ctx.catalog, processCode);
    if (stepCode === '') return process ? `${process.name}全流程` : '全流程';
    return (process && findStep(process, stepCode)?.name) ?? stepCode;
  }

  async function teamLeads(chunk: ChunkState, teamId: string) {
    let leads = chunk.leads.get(teamId);
    if (!leads) chunk.leads.set(teamId, (leads = await chunk.store.teamLeads(teamId)));
    return leads;
  }

  /**
   * Queues the SMS of an alert its caller has claimed (raised it with `notifiedAt` set, or won `claimNotice`):
   * the handler, and the team lead for an overdue alert or one without a handler. False when nobody is texted.
   */
  async function queueTexts(chunk: ChunkState, alert: AlertRow, processCode: string, handlerPhone: string | null): Promise<boolean> {
    const recipients = new Map<string, string>();
    if (alert.handlerId && handlerPhone !== null) recipients.set(alert.handlerId, handlerPhone);
    // The team lead hears of every overdue step, and of a warning nobody else would hear of.
    if ((alert.level === 'overdue' || handlerPhone === null) && alert.teamId) {
      for (const lead of await teamLeads(chunk, alert.teamId)) recipients.set(lead.id, lead.phone);
    }
    if (recipients.size === 0) return false;
    const kind = alert.level === 'warning' ? 'sla_warning' : 'sla_overdue';
    const variables = {
      applicationNo: alert.applicationNo,
      stepName: stepNameOf(processCode, alert.stepCode),
      dueAt: alert.dueAt ?? alert.raisedAt,
      explanationRequired: alert.level === 'overdue',
    };
    for (const [handlerId, phone] of recipients) await notices.queue(chunk.stores, kind, { kind: 'handler', handlerId, phone, applicationNo: alert.applicationNo }, variables);
    return true;
  }

  /**
   * Raises what owing steps owe and moves each on to its next alert. In working time the alert is inserted already
   * claimed (`notifiedAt`) and texted in the same transaction: the unique index lets one sweep insert it, so one
   * sweep texts it. Outside working time it waits for `releaseHeld`.
   */
  async function raiseSteps(chunk: ChunkState, sources: Sources): Promise<void> {
    const { store } = chunk;
    const texting = chunk.notifyAt <= chunk.now;
    await drain(chunk, sources, 'steps', (limit) => store.owingSteps(chunk.now, limit), async (row) => {
      if (row.dueAt === null || row.actualStart === null) {
        await store.advanceStep(row.applicationNo, row.stepCode, row.alertAt, null);
        return;
      }
      const level = alertLevelAt(chunk.now, row.dueAt);
      const alert = alertRow({
        applicationNo: row.applicationNo,
        stepCode: row.stepCode,
        occurrence: row.actualStart,
        handlerId: row.handlerId,
        teamId: row.teamId,
        level,
        dueAt: row.dueAt,
        ...raisedIn(chunk),
      });
      if (await store.insert(alert)) {
        chunk.raised.push(alert);
        // a warning goes out only while its occurrence is under way (as `releaseHeld` checks)
        const moot = level === 'warning' && row.status !== 'in_progress';
        if (texting && !moot && row.processCode !== null && (await queueTexts(chunk, alert, row.processCode, row.handlerPhone))) chunk.notified++;
      }
      await store.advanceStep(row.applicationNo, row.stepCode, row.alertAt, level === 'warning' ? row.dueAt : null);
    });
  }

  /** The team answerable for an application: its running utility step's handler's, else its latest handler's. */
  async function teamOf(applications: ApplicationStore, applicationNo: string): Promise<string | null> {
    const steps = (await applications.steps(applicationNo)).filter((s) => s.handlerId !== null);
    const running = steps.find((s) => s.status === 'in_progress');
    const latest = running ?? [...steps].sort((a, b) => (b.handlerAt ?? 0) - (a.handlerAt ?? 0))[0];
    return latest ? ((await applications.handler(latest.handlerId!))?.teamId ?? null) : null;
  }

  async function raiseApplications(chunk: ChunkState, sources: Sources): Promise<void> {
    const { store } = chunk;
    const texting = chunk.notifyAt <= chunk.now;
    await drain(chunk, sources, 'applications', (limit) => store.owingApplications(chunk.now, limit), async (row) => {
      // Addressed to the team lead: no handler of its own, so only the team (and admins) see and explain it.
      const alert = alertRow({
        applicationNo: row.applicationNo,
        stepCode: '',
        occurrence: 0,
        teamId: await teamOf(chunk.applications, row.applicationNo),
        level: 'overdue',
        dueAt: row.limitAlertAt,
        ...raisedIn(chunk),
      });
      if (await store.insert(alert)) {
        chunk.raised.push(alert);
        if (texting && (await queueTexts(chunk, alert, row.processCode, null))) chunk.notified++;
      }
      await store.clearApplicationLimit(row.applicationNo, row.limitAlertAt);
    });
  }

  /** Texts one held alert whose time has come; false when it was someone else's to send or is moot. */
  async function releaseOne(chunk: ChunkState, alert: AlertRow): Promise<boolean> {
    const { store } = chunk;
    if (!(await store.claimNotice(alert.id, chunk.now))) return false;
    const application = await chunk.applications.application(alert.applicationNo);
    if (!application) return false;
    if (alert.level === 'warning') {
      // Held overnight, a warning whose step has since been done would only confuse; so would one telling the handler
      // the step "will be due" once it is past due or its overdue alert exists. Claimed above, it is never sent later.
      const step = await chunk.applications.step(alert.applicationNo, alert.stepCode);
      if (!step || step.status !== 'in_progress' || step.actualStart !== alert.occurrence) return false;
      if ((alert.dueAt !== null && chunk.now >= alert.dueAt) || (await store.hasOverdue(alert.applicationNo, alert.stepCode, alert.occurrence))) return false;
    }
    const handler = alert.handlerId ? await chunk.applications.handler(alert.handlerId) : undefined;
    return queueTexts(chunk, alert, application.processCode, handler?.phone ?? null);
  }

  /** Alerts raised outside working time whose texts may go out now. */
  async function releaseHeld(chunk: ChunkState, sources: Sources): Promise<void> {
    await drain(chunk, sources, 'notices', (limit) => chunk.store.dueForNotice(chunk.now, limit), async (alert) => {
      if (await releaseOne(chunk, alert)) chunk.notified++;
    });
  }

  /**
   * One transaction: as much of the sweep's work as the chunk's row cap and time budget allow.
   *
   * Its applications are locked first, all in one statement in the order of their numbers, before it writes anything:
   * the order every unit of work that writes applications' rows takes their locks in (a sync locks its batch's
   * applications first). A chunk that inserted an alert and then waited for a step row a sync had changed, while the
   * sync waited to insert the same alert, deadlocked (PostgreSQL aborted one of them, up to a failed sync). The rows
   * are read again once locked, so what the chunk writes is judged on what those applications are now.
   */
  async function runChunk(stores: Stores, now: number, notifyAt: number, sources: Sources): Promise<ChunkState> {
    const chunk: ChunkState = {
      stores,
      store: stores.alerts,
      applications: stores.applications,
      now,
      notifyAt,
      startedAt: performance.now(),
      workMs: 0,
      rows: 0,
      raised: [],
      notified: 0,
      leads: new Map(),
      locked: new Set(),
    };
    if (!stores.applications.locksRows) chunk.locked = { has: () => true };
    else {
      const toLock = await applicationsToLock(chunk, sources);
      if (toLock.length > 0) chunk.locked = new Set((await stores.applications.applicationsForUpdate(toLock)).keys());
    }
    await raiseSteps(chunk, sources);
    await raiseApplications(chunk, sources);
    await releaseHeld(chunk, sources);
    chunk.workMs = performance.now() - chunk.startedAt;
    return chunk;
  }

  return {
    /**
     * One sweep as of now: raise, push live, queue the SMS that working time allows. Chunk transactions of at most
     * `chunkSize` rows and about `chunkMs` of work each, yielding to the event loop between them; a quiet interval
     * is one transaction.
     */
    async sweep(): Promise<SlaSweepResult> {
      const now = ctx.clock.now();
      const notifyAt = notifyFrom(now);
      const result: SlaSweepResult = { warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 };
      const sources: Sources = { steps: true, applications: true, notices: true };
      for (;;) {
        const t0 = performance.now();
        const chunk = await options.transaction((stores) => runChunk(stores, now, notifyAt, sources));
        options.onChunk?.({ rows: chunk.rows, ms: performance.now() - t0, workMs: chunk.workMs });
        // after the commit: push what was raised, deliver what was queued
        for (const alert of chunk.raised) {
          if (alert.stepCode === '') result.applicationOverdue++;
          else if (alert.level === 'warning') result.warnings++;
          else result.overdue++;
          await alerts.publish(alert);
        }
        if (chunk.notified > 0) {
          result.notified += chunk.notified;
          options.wakeDispatcher();
        }
        if (!sources.steps && !sources.applications && !sources.notices) break;
        await yieldToEventLoop();
      }
      if (result.warnings + result.overdue + result.applicationOverdue > 0) options.log.info({ ...result }, 'sla sweep raised alerts');
      return result;
    },

    /**
     * The ingest hook (inside the sync's transaction): a utility step synced as done after its due time without an
     * alert is still recorded as overdue, for statistics; such a record notifies nobody and needs no explanation.
     */
    async onIngest(changes: IngestChanges, stores: Stores): Promise<void> {
      const now = ctx.clock.now();
      const { applications } = stores;
      for (const { applicationNo, stepCode, runningDueAt: storedDueAt } of changes.completedSteps) {
        const step = await applications.step(applicationNo, stepCode);
        if (!step || step.status !== 'done' || step.actualStart === null || step.actualEnd === null) continue;
        const application = await applications.application(applicationNo);
        const process = application && findProcess(ctx.catalog, application.processCode);
        if (!process || findStep(process, stepCode)?.side !== 'utility') continue;
        // Judged by the due time it had while running (as the sweep judges it), not the done step's re-planned one.
        const dueAt = storedDueAt ?? (await runningDueAt(ctx, applications, application, stepCode, step.actualStart));
        if (dueAt === null || step.actualEnd <= dueAt) continue;
        const handler = step.handlerId ? await applications.handler(step.handlerId) : undefined;
        await stores.alerts.insert(
          alertRow({
            applicationNo,
            stepCode,
            occurrence: step.actualStart,
            handlerId: step.handlerId,
            teamId: handler?.teamId ?? null,
            level: 'overdue',
            dueAt,
            raisedAt: now,
            live: false,
          }),
        );
      }
    },
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
