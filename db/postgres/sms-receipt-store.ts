// Template SMS status reports (server/inbound/sms-receipt-store.ts) on PostgreSQL: one row per provider message and
// phone (the primary key), so a report repeated to two instances at once is kept once.
import { and, desc, eq } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { smsReceipts } from './schema/index.ts';
import type { SmsReceiptStore } from '../../server/inbound/sms-receipt-store.ts';

export function createPostgresSmsReceiptStore(db: PgExecutor): SmsReceiptStore {
  return {
    async insert(receipt) {
      const kept = await db.insert(smsReceipts).values(receipt).onConflictDoNothing().returning({ providerId: smsReceipts.providerId });
      return kept.length > 0;
    },
    async byOutboxId(provider, outboxId) {
      const [row] = await db
        .select()
        .from(smsReceipts)
        .where(and(eq(smsReceipts.provider, provider), eq(smsReceipts.outboxId, outboxId)))
        .orderBy(desc(smsReceipts.receivedAt))
        .limit(1);
      return row ?? null;
    },
  };
}
