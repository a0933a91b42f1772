// The realtime hub across instances: PostgreSQL LISTEN/NOTIFY on one dedicated connection per instance, which
// reconnects by itself. Each instance delivers to its own subscribers at once and tells the others through one
// channel; a message too long for NOTIFY's payload goes as the id of a row in `realtime_messages`. Live updates
// are at most once across instances (a page that reconnects reloads what it shows).
import crypto from 'node:crypto';
import pg from 'pg';
import { createInProcessHub, type RealtimeHub } from './hub.ts';

/** NOTIFY refuses payloads of 8000 bytes or more; the envelope's own fields take the rest of the margin. */
export const NOTIFY_PAYLOAD_LIMIT = 7800;
const CHANNEL = 'jiedian_realtime';

export interface PostgresHubOptions {
  url: string;
  onError?: (error: unknown) => void;
  /** the longest wait between reconnection attempts (doubling from 100 ms) */
  maxReconnectDelayMs?: number;
  /** how long a long message's row is kept for instances catching up */
  keepRowsMs?: number;
  /** messages kept while the connection is down, oldest dropped first */
  maxPending?: number;
}

export interface PostgresHub extends RealtimeHub {
  /** resolves once the instance listens (messages from other instances arrive from then on) */
  ready: Promise<void>;
  /** whether the dedicated connection is up */
  connected(): boolean;
  close(): Promise<void>;
}

type Envelope = { o: string; t: string; m: string } | { o: string; id: number };

/**
 * `hasSubscribers` and `publish`'s count are this instance's own subscribers: a publisher that skips work for a topic
 * nobody here follows must remember that another instance may follow it.
 */
export function createPostgresHub(options: PostgresHubOptions): PostgresHub {
  const onError = options.onError ?? (() => {});
  const local = createInProcessHub(onError);
  const origin = crypto.randomUUID();
  const maxDelay = options.maxReconnectDelayMs ?? 5000;
  const keepRowsMs = options.keepRowsMs ?? 60_000;
  const maxPending = options.maxPending ?? 10_000;
  let client: pg.Client | undefined;
  let closed = false;
  let delay = 100;
  // one chain of sends: NOTIFYs from one connection arrive in the order sent, so a publisher's order holds
  let sending: Promise<unknown> = Promise.resolve();
  let receiving: Promise<void> = Promise.resolve();
  const pending: Envelope[] = [];
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  async function connect(): Promise<void> {
    while (!closed) {
      const next = new pg.Client({ connectionString: options.url });
      next.on('error', (error) => {
        onError(error);
        if (client === next) dropped();
      });
      next.on('end', () => {
        if (client === next) dropped();
      });
      try {
        await next.connect();
        // in arrival order: a long message's row is read before the messages after it are delivered
        next.on('notification', (n) => (receiving = receiving.then(() => receive(n.payload ?? ''))));
        await next.query(`LISTEN ${CHANNEL}`);
        client = next;
        delay = 100;
        markReady();
        flush();
        return;
      } catch (error) {
        onError(error);
        await next.end().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }

  function dropped(): void {
    const old = client;
    client = undefined;
    void old?.end().catch(() => undefined);
    if (!closed) void connect();
  }

  async function receive(payload: string): Promise<void> {
    try {
      const envelope = JSON.parse(payload) as Envelope;
      if (envelope.o === origin) return;
      if ('id' in envelope) {
        const row = await client?.query<{ topic: string; message: string }>('SELECT topic, message FROM realtime_messages WHERE id = $1', [envelope.id]);
        const found = row?.rows[0];
        if (found) local.publish(found.topic, found.message);
      } else {
        local.publish(envelope.t, envelope.m);
      }
    } catch (error) {
      onError(error);
    }
  }

  function flush(): void {
    while (client && pending.length > 0) {
      const envelope = pending.shift()!;
      const target = client;
      sending = sending.then(() => send(target, envelope)).catch((error) => onError(error));
    }
  }

  async function send(target: pg.Client, envelope: Envelope): Promise<void> {
    if ('t' in envelope && Buffer.byteLength(JSON.stringify(envelope)) > NOTIFY_PAYLOAD_LIMIT) {
      const now = Date.now();
      const { rows } = await target.query<{ id: string }>('INSERT INTO realtime_messages (topic, message, created_at) VALUES ($1, $2, $3) RETURNING id', [envelope.t, envelope.m, now]);
      await target.query('DELETE FROM realtime_messages WHERE created_at < $1', [now - keepRowsMs]);
      envelope = { o: envelope.o, id: Number(rows[0]!.id) };
    }
    await target.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(envelope)]);
  }

  void connect();

  return {
    ready,
    connected: () => client !== undefined,
    publish(topic, message) {
      pending.push({ o: origin, t: topic, m: message });
      if (pending.length > maxPending) {
        pending.shift();
        onError(new Error('realtime: the PostgreSQL connection is down; the oldest live update for other instances was dropped'));
      }
      flush();
      return local.publish(topic, message);
    },
    publishHere: local.publish,
    subscribe: local.subscribe,
    hasSubscribers: local.hasSubscribers,
    spansInstances: true,
    async close() {
      closed = true;
      await sending.catch(() => undefined);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
