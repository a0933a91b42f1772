// Status reports from template SMS providers (PostgreSQL; the same table as db/schema/sms.ts, where it is described).
import { pgTable, text, index, primaryKey } from 'drizzle-orm/pg-core';
import { smsReceiptStatuses } from '../../schema/sms.ts';
import { ms } from './columns.ts';

export const smsReceipts = pgTable(
  'sms_receipts',
  {
    provider: text('provider').notNull(),
    providerId: text('provider_id').notNull(),
    phone: text('phone').notNull(),
    outboxId: text('outbox_id'),
    status: text('status', { enum: smsReceiptStatuses }).notNull(),
    errorCode: text('error_code'),
    receivedAt: ms('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerId, t.phone] }), index('sms_receipts_outbox_idx').on(t.outboxId)],
);
