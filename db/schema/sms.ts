// Status reports (receipts) from template SMS providers (Aliyun, Tencent Cloud), each kept once.
import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';

export const smsReceiptStatuses = ['delivered', 'failed'] as const;

/**
 * One row per provider message and phone (a provider may repeat a report; it counts once). Kept whether or not an
 * outbox row matched, so nothing a provider reported is lost, and so a send in doubt can be looked up by its outbox
 * id (Aliyun `out_id`, Tencent `ext` / SessionContext) before it is sent again.
 */
export const smsReceipts = sqliteTable(
  'sms_receipts',
  {
    provider: text('provider').notNull(),
    /** Aliyun biz_id, Tencent sid (SerialNo) */
    providerId: text('provider_id').notNull(),
    phone: text('phone').notNull(),
    outboxId: text('outbox_id'),
    status: text('status', { enum: smsReceiptStatuses }).notNull(),
    errorCode: text('error_code'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerId, t.phone] }), index('sms_receipts_outbox_idx').on(t.outboxId)],
);
