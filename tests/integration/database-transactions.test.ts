// Two processes on one database file (the server and a CLI sweep or import): a transaction of one is never broken
// half-way by the other's commit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database_ } from '../../db/client.ts';

const opened: Database_[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function twoConnections() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-tx-')), 'jiedian.db');
  const server = openDatabase(file);
  const other = openDatabase(file);
  opened.push(server, other);
  other.sqlite.pragma('busy_timeout = 0');
  return { server, other };
}

const teamCount = (d: Database_) => (d.sqlite.prepare('select count(*) as n from teams').get() as { n: number }).n;
const addTeam = (d: Database_, id: string) => d.sqlite.prepare('insert into teams (id, name, updated_at) values (?, ?, 0)').run(id, `班组${id}`);

describe('transactions beside another process', () => {
  it('hold the write lock from their start: a read-then-write transaction commits, the other writer waits its turn', () => {
    const { server, other } = twoConnections();
    let otherError: unknown = null;
    server.transaction(() => {
      const before = teamCount(server);
      // the other process tries to commit between this transaction's read and its write
      try {
        addTeam(other, 'T-OTHER');
      } catch (error) {
        otherError = error;
      }
      addTeam(server, `T-${before + 1}`);
    });
    expect((otherError as { code?: string } | null)?.code).toBe('SQLITE_BUSY');
    expect(server.sqlite.prepare('select id from teams').pluck().all()).toEqual(['T-1']);
    // once it committed, the other process writes
    addTeam(other, 'T-OTHER');
    expect(teamCount(server)).toBe(2);
  });
});
