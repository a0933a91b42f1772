// The dispatcher's DeliveryQueue (server/notices/delivery-queue.ts) on PostgreSQL, where several instances dispatch
// from one outbox. A row is claimed under a lease: `FOR UPDATE SKIP LOCKED` takes the rows still pending and as the
// dispatcher saw them (none that another instance has meanwhile claimed, put off or found in doubt), marks them
// `sending` by this instance until `claim_expires_at`, and this instance renews the lease of its claims while their
// sends are in flight. A claim whose lease ran out is a dead instance's: its row goes back to pending, in doubt since
// that claim, so the dispatcher asks the provider (`Channel.findSent`) before sending it again.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { DeliveryQueue, QueuedNotice, SendOutcome } from '../../server/notices/delivery-queue.ts';
import type { PostgresDatabase } from './client.ts';

/** How long a claim holds without renewal: far longer than a send may take (providers' timeouts are 15 s). */
export const DEFAULT_CLAIM_LEASE_MS = 60_000;

export interface PostgresDeliveryQueueOptions {
  /** this instance's name on its claims; default a random one per process */
  instanceId?: string;
  claimLeaseMs?: number;
  /** how often claims in flight are renewed; default a third of the lease */
  renewEveryMs?: number;
  /** the clock the renewals read (the dispatcher passes its own `now` to every other call) */
  now?: () => number;
  /** a renewal the database refused */
  onError?: (error: unknown) => void;
}

export interface PostgresDeliveryQueue extends DeliveryQueue {
  readonly instanceId: string;
  /** Renews the lease of this instance's claims in flight now (the timer does it every `renewEveryMs`). */
  renewClaims(): Promise<number>;
  /** Stops renewing: claims still in flight lapse after their lease. */
  close(): void;
}

interface Row {
  id: string;
  application_no: string | null;
  recipient_kind: 'customer' | 'handler';
  channel: QueuedNotice['channel'];
  address: string;
  notice_kind: string;
  variables: unknown;
  text: string;
  content: QueuedNotice['content'];
  segments: number;
  urgent: boolean;
  lane: number;
  attempts: number;
  in_doubt_since: string | null;
}

const msOrNull = (value: string | number | null): number | null => (value === null ? null : Number(value));

const noticeOf = (row: Row): QueuedNotice => ({
  id: row.id,
  applicationNo: row.application_no,
  recipientKind: row.recipient_kind,
  channel: row.channel,
  address: row.address,
  noticeKind: row.notice_kind,
  variables: row.variables,
  text: row.text,
  content: row.content,
  segments: row.segments,
  urgent: row.urgent,
  lane: row.lane,
  attempts: row.attempts,
  inDoubtSince: msOrNull(row.in_doubt_since),
});

// A row waits while an earlier one of its thread (application, address, channel) is unsent; seq is the order of writing.
const DUE = `
SELECT id, application_no, recipient_kind, channel, address, notice_kind, variables, text, content, segments, urgent, lane,
       attempts, in_doubt_since
  FROM outbox o
 WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND o.channel = ANY($2::text[])
   AND (o.lane = 0 OR o.application_no IS NULL OR NOT EXISTS (
         SELECT 1 FROM outbox earlier
          WHERE earlier.application_no = o.application_no AND earlier.address = o.address AND earlier.channel = o.channel
            AND earlier.status IN ('pending', 'sending') AND earlier.lane = 1 AND earlier.seq < o.seq))
 ORDER BY o.lane, o.next_attempt_at, o.created_at, o.seq
 LIMIT $3`;

// Rows as the dispatcher saw them ($1: a JSON array of {id, attempts, inDoubtSince}), still pending and due, not
// locked by another instance's claim in progress.
const CLAIM = `
WITH seen AS (
  SELECT s.id, s.attempts, s.in_doubt_since
    FROM jsonb_to_recordset($1::jsonb) AS s(id text, attempts integer, in_doubt_since bigint)
), free AS (
  SELECT o.id FROM outbox o JOIN seen ON seen.id = o.id
   WHERE o.status = 'pending' AND o.next_attempt_at <= $2 AND o.attempts = seen.attempts
     AND o.in_doubt_since IS NOT DISTINCT FROM seen.in_doubt_since
   FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox SET status = 'sending', attempts = outbox.attempts + 1, claimed_at = $2, claimed_by = $3,
       claim_expires_at = $4, updated_at = $2
  FROM free WHERE outbox.id = free.id
RETURNING outbox.id`;

// Only the claim this instance holds records its outcome: a row another instance has claimed again since (this
// instance's lease lapsed) is that instance's to record. A lapsed claim not taken again still records what happened.
const RECORD_SENT = `
UPDATE outbox SET
  status = CASE WHEN status IN ('delivered', 'failed') THEN status ELSE $2 END,
  provider = $3, provider_id = $4, sent_at = $5,
  delivered_at = coalesce(delivered_at, $6),
  last_error = CASE WHEN status IN ('delivered', 'failed') THEN last_error ELSE NULL END,
  updated_at = $5
 WHERE id = $1 AND claimed_by IS NOT DISTINCT FROM $7`;

const RECORD_FAILURE = `
UPDATE outbox SET status = $2, next_attempt_at = coalesce($3, next_attempt_at), last_error = $4, in_doubt_since = $5,
       attempts = attempts - $6, updated_at = $7
 WHERE id = $1 AND claimed_by IS NOT DISTINCT FROM $8`;

// A lapsed claim (or one written without a lease by an older version) goes back to pending, in doubt since it.
const RECOVER = `
UPDATE outbox SET status = 'pending', next_attempt_at = $1, in_doubt_since = coalesce(in_doubt_since, claimed_at, updated_at),
       updated_at = $1
 WHERE status = 'sending' AND (claim_expires_at IS NULL OR claim_expires_at <= $1)`;

export function createPostgresDeliveryQueue(database: Pick<PostgresDatabase, 'pool'>, options: PostgresDeliveryQueueOptions = {}): PostgresDeliveryQueue {
  const { pool } = database;
  const instanceId = options.instanceId ?? `instance-${crypto.randomUUID()}`;
  const leaseMs = options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(leaseMs / 3));
  const clockNow = options.now ?? Date.now;
  const onError = options.onError ?? (() => undefined);
  /** ids this instance claimed and has not recorded yet: whose leases it renews */
  const inFlight = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function renewing(): void {
    if (closed || timer || inFlight.size === 0) return;
    timer = setInterval(() => {
      if (inFlight.size === 0) {
        clearInterval(timer!);
        timer = null;
        return;
      }
      renewClaims().catch(onError);
    }, renewEveryMs);
    timer.unref();
  }

  async function renewClaims(): Promise<number> {
    if (inFlight.size === 0) return 0;
    const now = clockNow();
    const result = await pool.query(
      `UPDATE outbox SET claim_expires_at = $1 WHERE id = ANY($2::text[]) AND claimed_by = $3 AND status = 'sending'`,
      [now + leaseMs, [...inFlight], instanceId],
    );
    return result.rowCount ?? 0;
  }

  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // a connection cut while checked out is reported here as well as to the query: unheard, it would end the process
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignore);
      // a client whose transaction failed is not given back to the pool: its connection may be the one cut
      client.release(broken);
    }
  }

  async function recover(now: number): Promise<number> {
    return (await pool.query(RECOVER, [now])).rowCount ?? 0;
  }

  return {
    instanceId,
    renewClaims,
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
    },
    async due(now, channels, limit) {
      if (channels.length === 0) return [];
      // a dead instance's lapsed claims are due again: any instance looking for work takes them over
      await recover(now);
      const { rows } = await pool.query<Row>(DUE, [now, [...channels], limit]);
      return rows.map(noticeOf);
    },
    async claim(rows, now) {
      const claimed = new Set<string>();
      if (rows.length === 0) return claimed;
      const seen = JSON.stringify(rows.map((row) => ({ id: row.id, attempts: row.attempts, in_doubt_since: row.inDoubtSince })));
      const result = await pool.query<{ id: string }>(CLAIM, [seen, now, instanceId, now + leaseMs]);
      for (const { id } of result.rows) {
        claimed.add(id);
        inFlight.add(id);
      }
      renewing();
      return claimed;
    },
    async recordOutcomes(outcomes: readonly SendOutcome[]) {
      if (outcomes.length === 0) return;
      await inTransaction(async (client) => {
        for (const o of outcomes) {
          if ('providerId' in o) {
            await client.query(RECORD_SENT, [o.id, o.status, o.provider, o.providerId, o.at, o.status === 'delivered' ? o.at : null, instanceId]);
          } else {
            await client.query(RECORD_FAILURE, [o.id, o.status, o.nextAttemptAt, o.lastError, o.inDoubtSince, o.notCounted ? 1 : 0, o.at, instanceId]);
          }
        }
      });
      for (const o of outcomes) inFlight.delete(o.id);
    },
    // only a pending row: another instance may have claimed it since this one read it
    async putOff(id, until, now) {
      await pool.query(`UPDATE outbox SET next_attempt_at = $2, updated_at = $3 WHERE id = $1 AND status = 'pending'`, [id, until, now]);
    },
    async refuse(id, reason, now) {
      await pool.query(`UPDATE outbox SET status = 'failed', last_error = $2, updated_at = $3 WHERE id = $1 AND status = 'pending'`, [id, reason, now]);
    },
    async nextDueAt() {
      const { rows } = await pool.query<{ at: string | null }>(`SELECT min(next_attempt_at) AS at FROM outbox WHERE status = 'pending'`);
      return msOrNull(rows[0]?.at ?? null);
    },
    // at start: only lapsed claims, as every instance's live claims are theirs (this process's own are under a new id)
    recoverSending: (now) => recover(now),
    async isOptedOut(channel, address) {
      const { rowCount } = await pool.query('SELECT 1 FROM opt_outs WHERE channel = $1 AND address = $2', [channel, address]);
      return (rowCount ?? 0) > 0;
    },
    async optOut(channel, address, at, source) {
      await pool.query('INSERT INTO opt_outs (channel, address, opted_out_at, source) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [channel, address, at, source]);
    },
    async recentTo(channel, address, since) {
      const { rows } = await pool.query<{ at: string; notice_kind: string; text: string; variables: unknown }>(
        `SELECT coalesce(sent_at, updated_at) AS at, notice_kind, text, variables FROM outbox
          WHERE address = $1 AND channel = $2 AND status IN ('sending', 'sent', 'delivered') AND coalesce(sent_at, updated_at) >= $3
          ORDER BY seq`,
        [address, channel, since],
      );
      return rows.map((row) => ({ at: Number(row.at), noticeKind: row.notice_kind, text: row.text, variables: row.variables }));
    },
  };
}
