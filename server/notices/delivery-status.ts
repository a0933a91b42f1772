// Provider delivery callbacks mapped back to outbox rows. A late 'sent' never undoes 'delivered'.
import type { DeliveryReport } from '../../channels/channel.ts';
import type { OutboxStore } from '../../db/outbox-store.ts';
import type { Clock } from '../services/clock.ts';

const rank = { pending: 0, sending: 1, sent: 2, delivered: 3, failed: 3, dead: 3, superseded: 3 } as const;

export function createDeliveryStatus(
  outbox: OutboxStore,
  clock: Clock,
  /** called after a callback moved a row (metrics) */
  onStatus?: (row: { id: string; applicationNo: string | null; channel: string; status: string }) => void,
) {
  return {
    /** false when no outbox row has that provider id */
    record(report: DeliveryReport): boolean {
      const row = outbox.byProviderId(report.providerId) ?? (report.outboxId ? outbox.byId(report.outboxId) : undefined);
      if (!row) return false;
      const now = clock.now();
      if (report.optedOut) outbox.optOut(row.channel, row.address, now, `${row.provider ?? 'provider'}:${report.errorCode ?? 'opt-out'}`);
      if (rank[report.status] <= rank[row.status]) return true;
      outbox.update(row.id, {
        status: report.status,
        deliveredAt: report.status === 'delivered' ? now : row.deliveredAt,
        lastError: report.status === 'failed' ? `delivery failed${report.errorCode ? ` (${report.errorCode})` : ''}` : row.lastError,
        updatedAt: now,
      });
      onStatus?.({ id: row.id, applicationNo: row.applicationNo, channel: row.channel, status: report.status });
      return true;
    },
  };
}

export type DeliveryStatus = ReturnType<typeof createDeliveryStatus>;
