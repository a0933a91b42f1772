// The database a Jiedian instance runs on, as buildApp needs it: its store ports and unit of work, the outbox's
// delivery queue, the attempt log, the leases and live-update hub it shares with other instances, and its health.
// SQLite (db/sqlite/backend.ts): one process on one file. PostgreSQL (db/postgres/backend.ts): any number of instances.
import type { Stores, Transact } from './stores.ts';
import type { DeliveryQueue } from './notices/delivery-queue.ts';
import type { AttemptLog } from './limits/attempt-log.ts';
import type { Leases } from './lease.ts';
import type { RealtimeHub } from './realtime/hub.ts';
import type { WriteHealth } from '../db/unit-of-work.ts';
import type { CommittedAlerts } from '../db/sqlite/committed-alerts.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Backend {
  kind: DatabaseKind;
  stores: Stores;
  transact: Transact;
  deliveries: DeliveryQueue;
  attempts: AttemptLog;
  leases: Leases;
  /** live updates shared with the other instances; null: this process alone (an in-process hub) */
  hub: RealtimeHub | null;
  /** the outcome of the latest write */
  health: WriteHealth;
  /** why the database takes no writes now, or null (/healthz) */
  writeProblem(): Promise<string | null>;
  /**
   * Alerts in commit order, for pushing live the alerts another process on the same SQLite file raised; null where
   * every instance publishes its own through the shared hub.
   */
  committedAlerts: CommittedAlerts | null;
  /** after the app has closed: the database's connections */
  close(): Promise<void>;
}
