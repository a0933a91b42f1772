// The dispatcher's DeliveryQueue (server/notices/delivery-queue.ts) on SQLite: each method does its statement at once.
import type { DeliveryQueue } from '../../server/notices/delivery-queue.ts';
import type { OutboxStore } from '../outbox-store.ts';

export function createSqliteDeliveryQueue(outbox: OutboxStore): DeliveryQueue {
  return {
    due: async (now, channels, limit) => outbox.due(now, channels, limit),
    // one process: nothing else claims between its due() and its claim()
    claim: async (rows, now) => outbox.claimAll(rows.map((row) => row.id), now),
    recordOutcomes: async (outcomes) => outbox.recordOutcomes(outcomes),
    putOff: async (id, until, now) => outbox.update(id, { nextAttemptAt: until, updatedAt: now }),
    refuse: async (id, reason, now) => outbox.update(id, { status: 'failed', lastError: reason, updatedAt: now }),
    nextDueAt: async () => outbox.nextDueAt(),
    recoverSending: async (now) => outbox.recoverSending(now),
    isOptedOut: async (channel, address) => outbox.isOptedOut(channel, address),
    optOut: async (channel, address, at, source) => outbox.optOut(channel, address, at, source),
    recentTo: async (channel, address, since) => outbox.recentTo(channel, address, since),
  };
}
