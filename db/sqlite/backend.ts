// One process on one SQLite file: its leases are always its own and its live updates stay in the process; alerts
// another process (`sla:sweep` beside the server) commits to the file are found by the alert feed.
import { writeProblem, type Database_ } from '../client.ts';
import type { Backend } from '../../server/backend.ts';
import { createSqliteStores } from './stores.ts';
import { soleLeases } from './lease.ts';
import { createCommittedAlerts } from './committed-alerts.ts';

export function createSqliteBackend(database: Database_): Backend {
  const { stores, transact, deliveries, attempts } = createSqliteStores(database);
  return {
    kind: 'sqlite',
    stores,
    transact,
    deliveries,
    attempts,
    leases: soleLeases(),
    hub: null,
    health: database.health,
    writeProblem: async () => writeProblem(database),
    committedAlerts: createCommittedAlerts(database),
    close: async () => database.close(),
  };
}
