// The store ports (server/stores.ts) on one SQLite database, and its unit of work handing them to a transaction.
import type { Database_ } from '../client.ts';
import type { Stores, Transact } from '../../server/stores.ts';
import { createInMemoryAttemptLog, type AttemptLog } from '../../server/limits/attempt-log.ts';
import type { DeliveryQueue } from '../../server/notices/delivery-queue.ts';
import { createSqliteStaffAccounts } from './staff-accounts.ts';
import { createSqliteAlertStore } from './alert-store.ts';
import { createOutboxStore } from '../outbox-store.ts';
import { createSqliteDeliveryQueue } from './delivery-queue.ts';
import { createSqliteBindingStore } from './binding-store.ts';
import { createSqliteHurryStore } from './hurry-store.ts';
import { createSqliteMuteStore } from './mute-store.ts';
import { createSqliteOutbox } from './outbox.ts';
import { createSqliteSmsReceiptStore } from './sms-receipt-store.ts';
import { createSqliteWechatOaStore } from './wechat-oa-store.ts';
import { createSqliteRiskStore } from './risk-store.ts';
import { createSqliteChatStore } from './chat-store.ts';
import { createSqliteApplicationStore } from './application-store.ts';

/**
 * One connection holds every transaction, so the stores a transaction's body gets are the database's own: the unit of
 * work's queue is what keeps other writes out of an open transaction. The dispatcher's queue is not one of them: it
 * claims and records in transactions of its own, never inside a unit of work.
 */
export function createSqliteStores(database: Database_): {
  stores: Stores;
  transact: Transact;
  deliveries: DeliveryQueue;
  /** one process: its attempt limits are counted in its memory */
  attempts: AttemptLog;
} {
  const alerts = createSqliteAlertStore(database.db);
  const bindings = createSqliteBindingStore(database.db);
  const hurries = createSqliteHurryStore(database.db);
  const mutes = createSqliteMuteStore(database.db);
  const outboxNow = createOutboxStore(database.db);
  const risks = createSqliteRiskStore(database.db);
  const applications = createSqliteApplicationStore(database);
  const stores: Stores = {
    applications: applications.store,
    staff: createSqliteStaffAccounts(database.db, applications.store, hurries),
    alerts,
    bindings,
    chats: createSqliteChatStore(database.db),
    hurries,
    mutes,
    outbox: createSqliteOutbox(outboxNow),
    risks,
    smsReceipts: createSqliteSmsReceiptStore(database.db),
    wechatOa: createSqliteWechatOaStore(database.db),
  };
  const deliveries = createSqliteDeliveryQueue(outboxNow);
  return {
    stores,
    // the progress views the body's writes changed are written before the commit; a body that fails leaves them be
    transact: (work) =>
      database.write(async () => {
        try {
          const result = await work(stores);
          applications.writeViews();
          return result;
        } finally {
          applications.forgetViews();
        }
      }),
    deliveries,
    attempts: createInMemoryAttemptLog(),
  };
}
