// Status reports from template SMS providers, kept once per provider message and phone.
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from './client.ts';
import { smsReceipts } from './schema/index.ts';

export type SmsReceiptRow = typeof smsReceipts.$inferSelect;

export function createSmsReceiptStore(db: Db) {
  return {
    /** false when this provider already reported this message to this phone */
    insert(row: SmsReceiptRow): boolean {
      return db.insert(smsReceipts).values(row).onConflictDoNothing().run().changes > 0;
    },
    /** the latest report naming this outbox id (Aliyun out_id, Tencent ext) */
    byOutboxId: (provider: string, outboxId: string) =>
      db
        .select()
        .from(smsReceipts)
        .where(and(eq(smsReceipts.provider, provider), eq(smsReceipts.outboxId, outboxId)))
        .orderBy(desc(smsReceipts.receivedAt))
        .get() ?? null,
  };
}

export type SmsReceiptStore = ReturnType<typeof createSmsReceiptStore>;
