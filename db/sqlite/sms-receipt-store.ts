// Template SMS status reports (server/inbound/sms-receipt-store.ts) on SQLite: sms_receipts.
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { smsReceipts } from '../schema/index.ts';
import type { SmsReceiptStore } from '../../server/inbound/sms-receipt-store.ts';

export function createSqliteSmsReceiptStore(db: Db): SmsReceiptStore {
  return {
    insert: async (receipt) => db.insert(smsReceipts).values(receipt).onConflictDoNothing().run().changes > 0,
    byOutboxId: async (provider, outboxId) =>
      db
        .select()
        .from(smsReceipts)
        .where(and(eq(smsReceipts.provider, provider), eq(smsReceipts.outboxId, outboxId)))
        .orderBy(desc(smsReceipts.receivedAt))
        .get() ?? null,
  };
}
