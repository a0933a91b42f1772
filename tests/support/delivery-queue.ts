// The dispatcher's store port (DeliveryQueue) on a test app's own database, for tests that drive it by hand.
import { onTestFinished } from 'vitest';
import { createOutboxStore } from '../../db/outbox-store.ts';
import { openPostgres } from '../../db/postgres/client.ts';
import { createPostgresDeliveryQueue } from '../../db/postgres/delivery-queue.ts';
import { createSqliteDeliveryQueue } from '../../db/sqlite/delivery-queue.ts';
import type { DeliveryQueue } from '../../server/notices/delivery-queue.ts';
import type { TestApp } from './app.ts';

/**
 * A delivery queue on the app's database: SQLite's over the same connection; on PostgreSQL another instance's (a pool
 * of its own, closed after the test), whose claims lapse after `claimLeaseMs` (default the app's).
 */
export async function deliveryQueueOf(t: TestApp, options: { claimLeaseMs?: number } = {}): Promise<DeliveryQueue> {
  if (!t.config.postgres) return createSqliteDeliveryQueue(createOutboxStore(t.database.db));
  const database = await openPostgres(t.config.postgres.url);
  const queue = createPostgresDeliveryQueue(database, { claimLeaseMs: options.claimLeaseMs ?? t.config.postgres.claimLeaseMs });
  onTestFinished(async () => {
    queue.close();
    await database.close();
  });
  return queue;
}
