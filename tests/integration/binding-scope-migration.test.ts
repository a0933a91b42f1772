// Migration 0009: the scopes the chat kept in chat_conversations.state for SMS numbers and WeChat contacts move to
// their channel_bindings rows (application_nos); bindings without one stay NULL; kiosk sessions keep theirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../db/migrations');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A database file migrated up to (not including) the given migration, as a server before it left it. */
function databaseBefore(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-migration-'));
  dirs.push(dir);
  const folder = path.join(dir, 'migrations');
  fs.cpSync(MIGRATIONS, folder, { recursive: true });
  const journalFile = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const upTo = journal.entries.findIndex((e) => e.tag === tag);
  expect(upTo).toBeGreaterThan(0);
  fs.writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
  const file = path.join(dir, 'jiedian.db');
  const sqlite = new Database(file);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.close();
  return file;
}

describe('migration 0009_binding_scope', () => {
  it('moves each binding\'s scope from its conversation\'s state to application_nos and leaves the dialogue state', () => {
    const file = databaseBefore('0009_binding_scope');
    const before = new Database(file);
    const bind = before.prepare('INSERT INTO channel_bindings (channel, address, account_no, verified_at) VALUES (?, ?, ?, 1)');
    bind.run('sms', '13700007777', '5300123456');
    bind.run('sms', '13700007777', '5300999999');
    bind.run('wechat', 'wxid_legacy', '5300123456');
    const conversation = before.prepare('INSERT INTO chat_conversations (id, channel, address, state, created_at, last_message_at) VALUES (?, ?, ?, ?, 1, 1)');
    conversation.run('c1', 'sms', '13700007777', JSON.stringify({ dialogue: { kind: 'menu', accountNo: '5300123456' }, scopes: { '5300123456': ['YX2026-0002'] } }));
    conversation.run('c2', 'wechat', 'wxid_legacy', JSON.stringify({ kind: 'menu', accountNo: '5300123456' }));
    conversation.run('c3', 'kiosk', 'session-1', JSON.stringify({ dialogue: null, scopes: { '5300123456': ['YX2026-0001'] } }));
    before.close();

    const database = openDatabase(file);
    try {
      const scopes = database.sqlite.prepare('SELECT channel, address, account_no, application_nos FROM channel_bindings ORDER BY channel, address, account_no').all();
      expect(scopes).toEqual([
        { channel: 'sms', address: '13700007777', account_no: '5300123456', application_nos: '["YX2026-0002"]' },
        { channel: 'sms', address: '13700007777', account_no: '5300999999', application_nos: null },
        { channel: 'wechat', address: 'wxid_legacy', account_no: '5300123456', application_nos: null },
      ]);
      const states = database.sqlite.prepare('SELECT id, state FROM chat_conversations ORDER BY id').all() as { id: string; state: string | null }[];
      expect(states.map((r) => [r.id, r.state === null ? null : JSON.parse(r.state)])).toEqual([
        ['c1', { kind: 'menu', accountNo: '5300123456' }],
        ['c2', { kind: 'menu', accountNo: '5300123456' }],
        ['c3', { dialogue: null, scopes: { '5300123456': ['YX2026-0001'] } }],
      ]);
    } finally {
      database.close();
    }
  });
});
