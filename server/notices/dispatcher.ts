// Delivers outbox rows after commit: bounded concurrency, per-channel pacing, retries with backoff, then dead.
import type { FastifyBaseLogger } from 'fastify';
import { ChannelError, channelKinds, type Channel, type ChannelKind } from '../../channels/channel.ts';
import type { QuietHours } from '../config.ts';
import { MAX_DELIVERY_ATTEMPTS, heldByQuietHours, releaseAfterQuietHours, retryDelayMs } from '../domain/delivery-policy.ts';
import { SendRate } from '../domain/send-rate.ts';
import { backoffMs } from '../domain/backoff.ts';
import type { WriteHealth } from '../../db/unit-of-work.ts';
import type { Clock } from '../shared/clock.ts';
import type { DeliveryQueue, QueuedNotice, SendOutcome } from './delivery-queue.ts';

export interface DispatcherOptions {
  queue: DeliveryQueue;
  channels: Record<ChannelKind, Channel>;
  clock: Clock;
  log: FastifyBaseLogger;
  /** sends in flight at once */
  concurrency?: number;
  /** send rate per channel kind, in SMS segments (or messages) per second; absent: unpaced */
  ratePerSecond?: Partial<Record<ChannelKind, number>>;
  /** how often to look for retries and released quiet-hour rows when nothing wakes the dispatcher */
  pollMs?: number;
  random?: () => number;
  /** non-urgent customer SMS are not sent in this window, retries and rows queued before it included */
  quietHours?: QuietHours | null;
  timeZone?: string;
  /** a queued customer notice whose application the customer has muted since for that address (免打扰) */
  isMuted?: (row: QueuedNotice) => boolean | Promise<boolean>;
  /** where the dispatcher reports whether its database writes succeed (/healthz) */
  health?: WriteHealth;
  /**
   * Milliseconds a row must wait before it may go (a carrier's per-number limits), given the rows picked to go with
   * it in the same turn; 0: now. A row that must wait is put back with that time, never failed.
   */
  waitBeforeSend?: (row: QueuedNotice, alsoGoing: readonly QueuedNotice[], now: number) => number | Promise<number>;
  /** false for a channel this instance does not send on now (another instance holds its session); default all */
  channelAvailable?: (kind: ChannelKind) => boolean;
  /** called after a row changes status (metrics, live staff views) */
  onStatus?: (row: { id: string; applicationNo: string | null; channel: string; status: string }) => void;
}

export const DEFAULT_DISPATCH_CONCURRENCY = 16;

export function createDispatcher(options: DispatcherOptions) {
  const { queue, channels, clock, log } = options;
  const concurrency = options.concurrency ?? DEFAULT_DISPATCH_CONCURRENCY;
  const random = options.random ?? Math.random;
  const pollMs = options.pollMs ?? 1000;
  const rates = new Map(channelKinds.map((kind) => [kind, new SendRate(options.ratePerSecond?.[kind] ?? Infinity)]));

  /**
   * The channel a row goes out through: every name the outbox may hold has its case. Rows naming a channel this
   * version does not know (another version's, in a shared database) are never claimed: `due` asks for known ones.
   */
  function channelOf(kind: ChannelKind): Channel | null {
    switch (kind) {
      case 'sms':
      case 'wechat':
      case 'wechat_oa':
      case 'wecom':
      case 'email':
        return channels[kind];
      default: {
        const unknown: never = kind;
        log.error({ channel: unknown }, 'an outbox row names a channel this version does not have');
        return null;
      }
    }
  }
  const quietHours = options.quietHours ?? null;
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  /** `at`, or the end of the quiet window `at` falls in for rows quiet hours hold */
  const releaseOf = (row: QueuedNotice, at: number) =>
    quietHours && heldByQuietHours(row) ? releaseAfterQuietHours(at, quietHours, timeZone) : at;
  /** ids claimed and not yet recorded: what counts against `concurrency` */
  const active = new Set<string>();
  /** the sends themselves, for stop() */
  const sends = new Set<Promise<void>>();
  /** finished sends waiting to be recorded; written together, one transaction per turn of the event loop */
  const finished: { row: QueuedNotice; outcome: SendOutcome }[] = [];
  let flushQueued = false;
  let pumpQueued = false;
  let timer: NodeJS.Timeout | null = null;
  let pumping = false;
  let again = false;
  let stopped = true;
  /** rows a stopped process left `sending` still to be put back (the database refused at start) */
  let recoveryOwed = false;
  /** consecutive database failures of the claim loop and of recording outcomes; each backs off on its own */
  let pumpFailures = 0;
  let flushFailures = 0;
  let flushTimer: NodeJS.Timeout | null = null;

  /** Logs a database failure of the loop (the first, then every tenth: a locked database is not a log flood) and says how long to wait. */
  function failed(what: string, error: unknown, failures: number, extra: Record<string, unknown> = {}): number {
    options.health?.failed(error);
    const delay = backoffMs(failures, random());
    if (failures === 1 || failures % 10 === 0) log.error({ err: error, failures, retryInMs: delay, ...extra }, `dispatcher: ${what} failed; retrying`);
    return delay;
  }

  function changed(row: QueuedNotice, status: string) {
    options.onStatus?.({ id: row.id, applicationNo: row.applicationNo, channel: row.channel, status });
  }

  /**
   * Sends one claimed row (`claimedAt`: this attempt's claim) and says what became of it; writes nothing but an
   * opt-out. A row in doubt (an earlier attempt may have reached the provider) is first looked up at the provider,
   * and not sent again when it has it.
   */
  async function deliver(row: QueuedNotice, claimedAt: number): Promise<SendOutcome> {
    const channel = channelOf(row.channel);
    const attempt = row.attempts + 1;
    if (!channel) return { id: row.id, status: 'dead', nextAttemptAt: null, lastError: `no channel ${row.channel}`, at: clock.now(), inDoubtSince: row.inDoubtSince };
    const message = {
      outboxId: row.id,
      to: row.address,
      text: row.text,
      notice: { kind: row.noticeKind, variables: row.variables as Record<string, unknown> },
      content: row.content,
    };
    let sending = false;
    try {
      if (row.inDoubtSince !== null && channel.findSent) {
        const found = await channel.findSent(message, row.inDoubtSince);
        if (found && 'notKnownYet' in found) {
          log.info({ outboxId: row.id, channel: row.channel, askAgainAt: found.askAgainAt }, 'the provider cannot tell yet whether it has this message; not sent, asked again later');
          const lastError = 'in doubt: the provider cannot tell yet whether it has the message';
          return { id: row.id, status: 'pending', nextAttemptAt: found.askAgainAt, lastError, at: clock.now(), inDoubtSince: row.inDoubtSince, notCounted: true };
        }
        if (found) {
          log.warn({ outboxId: row.id, channel: row.channel, providerId: found.providerId }, 'the provider already has this message; not sent again');
          return { id: row.id, status: found.status, provider: channel.provider, providerId: found.providerId, at: clock.now() };
        }
      }
      sending = true;
      const result = await channel.send(message);
      return { id: row.id, status: result.status, provider: channel.provider, providerId: result.providerId, at: clock.now() };
    } catch (error) {
      const now = clock.now();
      // a failed lookup leaves the doubt as it was; a send that may have reached the provider starts one
      const inDoubtSince = row.inDoubtSince ?? (sending && (!(error instanceof ChannelError) || error.outcomeUnknown) ? claimedAt : null);
      const failure = error instanceof ChannelError ? error.failure : 'temporary';
      const reason = error instanceof Error ? error.message : String(error);
      const lastError = error instanceof ChannelError && error.providerCode ? `${error.providerCode}: ${reason}` : reason;
      if (failure === 'opted_out') await queue.optOut(row.channel, row.address, now, `${channel.provider}:${(error as ChannelError).providerCode ?? 'opt-out'}`);
      if (failure === 'temporary' && error instanceof ChannelError && error.retryAt !== null) {
        // a carrier limit: the message waits for the window to pass, however often, and never dies of it
        const nextAttemptAt = releaseOf(row, Math.max(now, error.retryAt));
        log.warn({ outboxId: row.id, channel: row.channel, attempt, err: reason, nextAttemptAt }, 'a carrier limit refused the message; it waits for the limit window to pass');
        return { id: row.id, status: 'pending', nextAttemptAt, lastError, at: now, inDoubtSince, notCounted: true };
      }
      if (failure === 'temporary' && attempt < MAX_DELIVERY_ATTEMPTS) {
        const nextAttemptAt = releaseOf(row, now + retryDelayMs(attempt, random()));
        log.warn({ outboxId: row.id, channel: row.channel, attempt, err: reason }, 'delivery failed; will retry');
        return { id: row.id, status: 'pending', nextAttemptAt, lastError, at: now, inDoubtSince };
      }
      const status = failure === 'temporary' ? 'dead' : 'failed';
      log.error({ outboxId: row.id, channel: row.channel, attempt, failure, err: reason }, `delivery ${status}`);
      return { id: row.id, status, nextAttemptAt: null, lastError, at: now, inDoubtSince };
    }
  }

  function start(row: QueuedNotice, claimedAt: number) {
    active.add(row.id);
    const task = deliver(row, claimedAt)
      .catch((error: unknown): SendOutcome => {
        // not a channel failure but a bug on our side: retried like a temporary failure, not left `sending`, and
        // looked up at the provider first in case the send got there
        log.error({ err: error, outboxId: row.id }, 'dispatcher failed to deliver');
        const now = clock.now();
        return { id: row.id, status: 'pending', nextAttemptAt: now + retryDelayMs(row.attempts + 1, random()), lastError: String(error), at: now, inDoubtSince: row.inDoubtSince ?? claimedAt };
      })
      .then((outcome) => {
        finished.push({ row, outcome });
        if (!flushQueued) {
          flushQueued = true;
          setImmediate(() => void flush());
        }
      })
      .finally(() => sends.delete(task));
    sends.add(task);
  }

  /**
   * Records finished sends in one transaction, frees their slots and claims more. When the database refuses, the
   * outcomes are kept and recorded later (their slots stay taken meanwhile); a process that dies first leaves the
   * rows `sending`, and the next one asks the provider before it sends them again.
   */
  async function flush(): Promise<void> {
    flushQueued = false;
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (finished.length === 0) return;
    const batch = finished.splice(0);
    try {
      await queue.recordOutcomes(batch.map((f) => f.outcome));
      options.health?.ok();
      flushFailures = 0;
    } catch (error) {
      finished.unshift(...batch);
      const delay = failed('recording deliveries', error, ++flushFailures, { outboxIds: batch.map((f) => f.row.id) });
      if (!stopped) {
        flushTimer = setTimeout(() => void flush(), delay);
        flushTimer.unref();
      }
      return;
    }
    for (const { row, outcome } of batch) changed(row, outcome.status);
    for (const { row } of batch) active.delete(row.id);
    await pump();
  }

  /** Channels whose send rate allows a message now. */
  const available = options.channelAvailable ?? (() => true);
  const readyChannels = (now: number) => [...rates].filter(([kind, rate]) => available(kind) && rate.waitMs(1, now) === 0).map(([kind]) => kind);
  const affordable = (row: QueuedNotice, now: number) => (rates.get(row.channel)?.waitMs(row.segments, now) ?? 0) === 0;

  /** Claims and starts as many due rows as concurrency and channel rates allow. */
  async function pump(): Promise<void> {
    pumpQueued = false;
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      if (recoveryOwed) await recover();
      do {
        again = false;
        const now = clock.now();
        const free = concurrency - active.size;
        if (free <= 0) break;
        const ready = readyChannels(now);
        if (ready.length === 0) break;
        const chosen: QueuedNotice[] = [];
        // a priority row the channel's rate cannot afford yet keeps the next free slot: nothing queued takes it first
        const reserved = new Set<string>();
        for (const row of await queue.due(now, ready, free)) {
          if (reserved.has(row.channel)) continue;
          // rows queued before the quiet window (a backlog, a retry, a restart) wait for its end as well
          const release = releaseOf(row, now);
          if (release > now) {
            await queue.putOff(row.id, release, now);
            continue;
          }
          const wait = (await options.waitBeforeSend?.(row, chosen, now)) ?? 0;
          if (wait > 0) {
            await queue.putOff(row.id, now + wait, now);
            continue;
          }
          if (!affordable(row, now)) {
            if (row.lane === 0) reserved.add(row.channel);
            continue;
          }
          if (await queue.isOptedOut(row.channel, row.address)) {
            await queue.refuse(row.id, 'opted out', now);
            changed(row, 'failed');
            continue;
          }
          if (await options.isMuted?.(row)) {
            await queue.refuse(row.id, 'muted by the customer', now);
            changed(row, 'failed');
            continue;
          }
          rates.get(row.channel)?.take(row.segments, now);
          chosen.push(row);
        }
        const claimed = await queue.claim(chosen, now);
        for (const row of chosen) if (claimed.has(row.id)) start(row, now);
      } while (again);
      if (pumpFailures > 0) options.health?.ok();
      pumpFailures = 0;
    } catch (error) {
      // a timer callback must never throw: the process would die. Wait, then try again.
      retryLater(failed('claiming due rows', error, ++pumpFailures));
      return;
    } finally {
      pumping = false;
    }
    await schedule();
  }

  function retryLater(delay: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void pump(), delay);
    timer.unref();
  }

  async function schedule(): Promise<void> {
    if (stopped) return;
    let next: number | null;
    try {
      next = await queue.nextDueAt();
    } catch (error) {
      retryLater(failed('looking for due rows', error, ++pumpFailures));
      return;
    }
    const now = clock.now();
    const paced = Math.min(...[...rates.values()].map((r) => r.waitMs(1, now)).filter((ms) => ms > 0), pollMs);
    retryLater(next === null ? pollMs : Math.max(5, Math.min(pollMs, paced, next - now)));
  }

  /** Puts rows a stopped process left `sending` back in the queue, in doubt; throws when the database refuses. */
  async function recover(): Promise<void> {
    const recovered = await queue.recoverSending(clock.now());
    recoveryOwed = false;
    if (recovered > 0) log.warn({ recovered }, 'outbox rows left sending by a previous process are queued again');
  }

  function wake(): void {
    if (stopped || pumpQueued) return;
    pumpQueued = true;
    setImmediate(() => void pump());
  }

  return {
    /** Puts rows a stopped process left `sending` back in the queue (in doubt: looked up before a resend), then starts delivering. */
    async start(): Promise<void> {
      if (!stopped) return;
      stopped = false;
      try {
        await recover();
      } catch (error) {
        // left to the pump, which backs off and tries again while the database refuses
        recoveryOwed = true;
        failed('queueing rows left sending', error, ++pumpFailures);
      }
      wake();
    },
    wake,
    /** Stops claiming rows, waits for sends in flight and records them. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...sends]);
      await flush();
      if (flushTimer) clearTimeout(flushTimer);
    },
    /**
     * Resolves when nothing is in flight and nothing is due that could be sent now (tests, benchmarks): rows
     * waiting for a retry, the end of quiet hours or their channel's send rate do not count.
     */
    async idle(timeoutMs = 5000): Promise<void> {
      const until = Date.now() + timeoutMs;
      const sendable = async (now: number) => {
        const ready = readyChannels(now);
        return ready.length > 0 && (await queue.due(now, ready, concurrency)).some((row) => affordable(row, now));
      };
      // a pump under way may hold rows it has claimed but not started yet (on PostgreSQL the claim is committed
      // before its answer returns): they are neither due nor in flight, so look again once it is done
      const settled = () => active.size === 0 && !pumping;
      for (;;) {
        if (settled() && !(await sendable(clock.now())) && settled()) return;
        if (Date.now() > until) throw new Error('dispatcher did not become idle');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    inFlight: () => active.size,
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
