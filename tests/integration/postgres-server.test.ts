// The throwaway PostgreSQL cluster the test suite and the PostgreSQL benchmarks start (tests/support/postgres-server.ts):
// it serves on the URL it gives, with the settings asked for, and stop() ends the server and removes its directory.
import fs from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startThrowawayPostgres } from '../support/postgres-server.ts';

/** running (a zombie left for a parent that never reaps, as in some containers, is not) */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('a throwaway PostgreSQL cluster', () => {
  it('serves with the settings asked for and is gone after stop()', async () => {
    const cluster = await startThrowawayPostgres({ settings: { max_connections: 37, synchronous_commit: 'off' } });
    const pid = cluster.postmasterPid();
    try {
      const client = new pg.Client({ connectionString: cluster.adminUrl });
      await client.connect();
      try {
        const shown = async (name: string) => ((await client.query(`SHOW ${name}`)).rows[0] as Record<string, string>)[name];
        expect(await shown('max_connections')).toBe('37');
        expect(await shown('synchronous_commit')).toBe('off');
        expect(await shown('fsync')).toBe('off'); // a default kept beside the ones asked for
        const { rows } = await client.query<{ superuser: boolean }>('SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user');
        expect(rows[0]!.superuser).toBe(true);
      } finally {
        await client.end();
      }
      expect(alive(pid)).toBe(true);
      expect(fs.existsSync(cluster.dir)).toBe(true);
    } finally {
      cluster.stop();
    }
    expect(fs.existsSync(cluster.dir)).toBe(false);
    expect(alive(pid)).toBe(false);
    const late = new pg.Client({ connectionString: cluster.adminUrl });
    await expect(late.connect()).rejects.toThrow();
  });
});
