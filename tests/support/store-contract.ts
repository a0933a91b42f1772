// Rows the store contract tests start from, in SQL both databases accept (TRUE/FALSE are SQLite's 1/0).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../db/client.ts';
import { SERVER_BUSY_TIMEOUT_MS } from '../../db/unit-of-work.ts';
import { openPostgres } from '../../db/postgres/client.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { createSqliteStores } from '../../db/sqlite/stores.ts';
import type { Stores, Transact } from '../../server/stores.ts';
import type { AttemptLog } from '../../server/limits/attempt-log.ts';
import { freshPostgresDatabase } from './postgres.ts';

export const STORE_CONTRACT_ROWS = `
INSERT INTO teams (id, name, updated_at) VALUES ('T01', '城东班', 1), ('T02', '城西班', 1);
INSERT INTO handlers (id, name, phone, team_id, role, updated_at) VALUES
  ('H001', '李明', '13912345678', 'T01', 'handler', 1),
  ('H009', '王建国', '13900009999', 'T01', 'team_lead', 1),
  ('H101', '赵丽', '13900000101', 'T02', 'handler', 1);
INSERT INTO applications (application_no, account_no, customer_name, process_code, address, phone, query_code_hmac, accepted_at,
    status, account_manager_id, source_digest, plan_feasible, plan_basis, plan_compressed, planned_on, created_at, updated_at) VALUES
  ('YX2026-0001', '5300123456', '张三', 'lv_resident', '城东路1号', '13800001111', 'h1', 1, 'active', 'H101', 'd1', TRUE, 'typical', FALSE, '2026-11-24', 1, 1),
  ('YX2026-0002', '5300123457', '李四', 'lv_resident', '城东路2号', '13800002222', 'h2', 1, 'active', 'H777', 'd2', TRUE, 'typical', FALSE, '2026-11-24', 1, 1),
  ('YX2026-0003', '5300123458', '王五', 'lv_resident', '城东路3号', '13800003333', 'h3', 1, 'active', NULL, 'd3', TRUE, 'typical', FALSE, '2026-11-24', 1, 1);
INSERT INTO application_steps (application_no, step_code, position, status, handler_id) VALUES
  ('YX2026-0001', 'accept', 0, 'done', 'H001'),
  ('YX2026-0001', 'survey', 1, 'in_progress', 'H001'),
  ('YX2026-0001', 'supply_plan', 2, 'pending', NULL),
  ('YX2026-0003', 'accept', 0, 'in_progress', NULL);
INSERT INTO hurries (id, application_no, step_code, handler_id, team_id, channel, status, count, created_at, last_hurried_at, escalate_at) VALUES
  ('CB2611240001', 'YX2026-0001', 'survey', 'H009', 'T01', 'kiosk', 'open', 1, 1, 1, 1);
`;

export interface OpenedStores {
  stores: Stores;
  transact: Transact;
  attempts: AttemptLog;
  close(): Promise<void>;
}

/** Every database's store ports over STORE_CONTRACT_ROWS (and `extraRows`), for contract tests run on each. */
export interface StoreImplementation {
  name: string;
  open(extraRows?: string): Promise<OpenedStores>;
  /**
   * Two instances on one database (SQLite: two connections to one file; PostgreSQL: two pools), for what must hold
   * across instances. `close` closes both.
   */
  openTwo(extraRows?: string): Promise<{ instances: [Pick<OpenedStores, 'stores' | 'transact'>, Pick<OpenedStores, 'stores' | 'transact'>]; close(): Promise<void> }>;
}

export const storeImplementations: StoreImplementation[] = [
  {
    name: 'SQLite',
    async open(extraRows = '') {
      const database = openDatabase(':memory:');
      database.sqlite.exec(STORE_CONTRACT_ROWS + extraRows);
      const { stores, transact, attempts } = createSqliteStores(database);
      return { stores, transact, attempts, close: async () => database.close() };
    },
    async openTwo(extraRows = '') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-contract-'));
      const file = path.join(dir, 'jiedian.db');
      // as the server opens it: a lock another connection holds is waited for by the unit of work, not the thread
      const first = openDatabase(file, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
      first.sqlite.exec(STORE_CONTRACT_ROWS + extraRows);
      const second = openDatabase(file, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
      const on = (database: typeof first) => {
        const { stores, transact } = createSqliteStores(database);
        return { stores, transact };
      };
      return {
        instances: [on(first), on(second)],
        close: async () => {
          first.close();
          second.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open(extraRows = '') {
      const target = await freshPostgresDatabase({ migrated: true });
      const database = await openPostgres(target.url);
      await database.pool.query(STORE_CONTRACT_ROWS + extraRows);
      const { stores, transact, attempts } = createPostgresStores(database);
      return {
        stores,
        transact,
        attempts,
        close: async () => {
          await database.close();
          await target.drop();
        },
      };
    },
    async openTwo(extraRows = '') {
      const target = await freshPostgresDatabase({ migrated: true });
      const first = await openPostgres(target.url);
      await first.pool.query(STORE_CONTRACT_ROWS + extraRows);
      const second = await openPostgres(target.url);
      return {
        instances: [createPostgresStores(first), createPostgresStores(second)],
        close: async () => {
          await first.close();
          await second.close();
          await target.drop();
        },
      };
    },
  },
];
