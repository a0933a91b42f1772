// Provider delivery callbacks mapped back to outbox rows. A late 'sent' never undoes 'delivered'.
import type { DeliveryReport } from '../../channels/channel.ts';
import type { Clock } from '../shared/clock.ts';
import type { Stores, Transact } from '../stores.ts';
import type { Outbox } from './outbox.ts';

const rank = { pending: 0, sending: 1, sent: 2, delivered: 3, failed: 3, dead: 3, superseded: 3 } as const;

export function createDeliveryStatus(
  transact: Transact,
  clock: Clock,
  /** called after a callback moved a row (metrics), once its transaction has committed */
  onStatus?: (row: { id: string; applicationNo: string | null; channel: string; status: string }) => void,
) {
  type Moved = { id: string; applicationNo: string | null; channel: string; status: string };

  /** Applies the report inside the caller's unit of work; null when no outbox row has that provider id. */
  async function apply(outbox: Outbox, report: DeliveryReport): Promise<{ moved: Moved | null } | null> {
    const row = (await outbox.byProviderId(report.providerId)) ?? (report.outboxId ? await outbox.byId(report.outboxId) : null);
    if (!row) return null;
    const now = clock.now();
    if (report.optedOut) await outbox.optOut(row.channel, row.address, now, `${row.provider ?? 'provider'}:${report.errorCode ?? 'opt-out'}`);
    if (rank[report.status] <= rank[row.status]) return { moved: null };
    await outbox.recordReport(row.id, {
      status: report.status,
      deliveredAt: report.status === 'delivered' ? now : row.deliveredAt,
      lastError: report.status === 'failed' ? `delivery failed${report.errorCode ? ` (${report.errorCode})` : ''}` : row.lastError,
      updatedAt: now,
    });
    return { moved: { id: row.id, applicationNo: row.applicationNo, channel: row.channel, status: report.status } };
  }

  return {
    /** One unit of work; false when no outbox row has that provider id. */
    async record(report: DeliveryReport): Promise<boolean> {
      const applied = await transact(({ outbox }) => apply(outbox, report));
      if (applied?.moved) onStatus?.(applied.moved);
      return applied !== null;
    },

    /**
     * Inside another unit of work (a callback recorded once with what it reports): returns whether a row matched,
     * and `announce`, to call after that unit of work has committed.
     */
    async recordWithin(stores: Pick<Stores, 'outbox'>, report: DeliveryReport): Promise<{ known: boolean; announce: () => void }> {
      const applied = await apply(stores.outbox, report);
      const moved = applied?.moved ?? null;
      return { known: applied !== null, announce: () => void (moved && onStatus?.(moved)) };
    },
  };
}

export type DeliveryStatus = ReturnType<typeof createDeliveryStatus>;
