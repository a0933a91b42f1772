// The notice writer's outbox (server/notices/outbox.ts) on SQLite: the statements of db/outbox-store.ts, which the
// dispatcher's DeliveryQueue shares; each method does its statement at once.
import type { Outbox } from '../../server/notices/outbox.ts';
import type { OutboxStore } from '../outbox-store.ts';

export function createSqliteOutbox(outbox: OutboxStore): Outbox {
  return {
    insert: async (row) => outbox.insert(row),
    insertUnrendered: async (row, lastError) => outbox.insertUnrendered(row, lastError),
    insertOnce: async (row) => outbox.insertOnce(row),
    supersede: async (applicationNo, topics, now, reason) => outbox.supersede(applicationNo, topics, now, reason),
    sentSince: async (applicationNo, noticeKind, since) => outbox.sentSince(applicationNo, noticeKind, since),
    regulationCarried: async (applicationNo) => outbox.regulationCarried(applicationNo),
    isOptedOut: async (channel, address) => outbox.isOptedOut(channel, address),
    optOutSource: async (channel, address) => outbox.optOutSource(channel, address),
    optOut: async (channel, address, at, source) => outbox.optOut(channel, address, at, source),
    clearOptOut: async (channel, address) => outbox.clearOptOut(channel, address),
    byId: async (id) => outbox.byId(id) ?? null,
    byProviderId: async (providerId) => outbox.byProviderId(providerId) ?? null,
    recordReport: async (id, fields) => outbox.update(id, fields),
    ofApplication: async (applicationNo) => outbox.ofApplication(applicationNo),
    failures: async (limit) => outbox.failures(limit),
    countsByChannelAndStatus: async () => outbox.countsByChannelAndStatus(),
  };
}
