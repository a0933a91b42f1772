// Live updates across instances: a message published on one instance reaches subscribers on another through
// PostgreSQL LISTEN/NOTIFY, in order, long ones through a row, and after the connection drops and comes back.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../db/postgres/client.ts';
import { createPostgresHub, NOTIFY_PAYLOAD_LIMIT, type PostgresHub } from '../../server/realtime/postgres-hub.ts';
import { topics } from '../../server/realtime/hub.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';

function collect(hub: PostgresHub, topic: string): string[] {
  const seen: string[] = [];
  hub.subscribe(topic, (m) => seen.push(m));
  return seen;
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('realtime hub on PostgreSQL', () => {
  let database: TestPostgres;
  const hubs: PostgresHub[] = [];
  const errors: unknown[] = [];
  const hub = async () => {
    const h = createPostgresHub({ url: database.url, onError: (e) => errors.push(e), maxReconnectDelayMs: 200 });
    hubs.push(h);
    await h.ready;
    return h;
  };

  beforeEach(async () => {
    database = await freshPostgresDatabase();
    await (await openPostgres(database.url)).close();
  });
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.close()));
    await database.drop();
  });

  it('delivers a message published on instance A to a subscriber on instance B, and once to A’s own', async () => {
    const a = await hub();
    const b = await hub();
    const topic = topics.team('T1');
    const onA = collect(a, topic);
    const onB = collect(b, topic);
    const other = collect(b, topics.team('T2'));
    a.publish(topic, '{"type":"hurry","id":"CB1"}');
    await until(() => onB.length === 1, 'B to receive');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(onB).toEqual(['{"type":"hurry","id":"CB1"}']);
    expect(onA).toEqual(['{"type":"hurry","id":"CB1"}']);
    expect(other).toEqual([]);
  });

  it('keeps a publisher’s order, and carries a message longer than a NOTIFY payload whole', async () => {
    const a = await hub();
    const b = await hub();
    const topic = topics.allStaff;
    const onB = collect(b, topic);
    const long = JSON.stringify({ type: 'progress', text: '进度'.repeat(NOTIFY_PAYLOAD_LIMIT) });
    const sent = Array.from({ length: 100 }, (_, i) => (i === 50 ? long : JSON.stringify({ i })));
    for (const m of sent) a.publish(topic, m);
    await until(() => onB.length === sent.length, 'all 100 messages');
    expect(onB).toEqual(sent);
  });

  it('reconnects by itself when its connection is cut, and messages published afterwards arrive', async () => {
    const a = await hub();
    const b = await hub();
    const topic = topics.handler('H1');
    const onB = collect(b, topic);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // cut every LISTEN connection (both hubs'), as a database restart or a network fault would
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`,
      );
      expect(rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    await until(() => !a.connected() || !b.connected(), 'the cut to be seen', 2000).catch(() => undefined);
    await until(() => a.connected() && b.connected(), 'both to reconnect');
    a.publish(topic, 'after');
    await until(() => onB.includes('after'), 'the message after reconnecting');
    expect(onB.at(-1)).toBe('after');
  });
});
