// The store ports (server/stores.ts) on PostgreSQL, and the unit of work handing them to a transaction.
import type { Stores, Transact } from '../../server/stores.ts';
import type { PostgresDatabase, PgExecutor } from './client.ts';
import { createPostgresAlertStore } from './alert-store.ts';
import { createPostgresApplicationStore } from './application-store.ts';
import { createPostgresHurryStore } from './hurry-store.ts';
import { createPostgresStaffAccounts } from './staff-accounts.ts';
import { createPostgresBindingStore } from './binding-store.ts';
import { createPostgresAttemptLog } from './attempt-log.ts';
import type { AttemptLog } from '../../server/limits/attempt-log.ts';
import { createPostgresMuteStore } from './mute-store.ts';
import { createPostgresOutbox } from './outbox.ts';
import { createPostgresSmsReceiptStore } from './sms-receipt-store.ts';
import { createPostgresWechatOaStore } from './wechat-oa-store.ts';
import { createPostgresRiskStore } from './risk-store.ts';
import { createPostgresChatStore } from './chat-store.ts';
import { createPostgresTransact, type PostgresTransactOptions } from './unit-of-work.ts';

const storesWith = (db: PgExecutor, applications: Stores['applications']): Stores => ({
  applications,
  staff: createPostgresStaffAccounts(db),
  alerts: createPostgresAlertStore(db),
  bindings: createPostgresBindingStore(db),
  chats: createPostgresChatStore(db),
  hurries: createPostgresHurryStore(db),
  mutes: createPostgresMuteStore(db),
  outbox: createPostgresOutbox(db),
  risks: createPostgresRiskStore(db),
  smsReceipts: createPostgresSmsReceiptStore(db),
  wechatOa: createPostgresWechatOaStore(db),
});

export function createPostgresStores(database: PostgresDatabase, options: PostgresTransactOptions = {}): { stores: Stores; transact: Transact; attempts: AttemptLog } {
  // a unit of work's stores, and the progress views its writes changed, written before it commits
  const viewWriters = new WeakMap<Stores, () => Promise<void>>();
  const storesOn = (tx: PgExecutor): Stores => {
    const applications = createPostgresApplicationStore(tx, true);
    const stores = storesWith(tx, applications.store);
    viewWriters.set(stores, applications.writeViews);
    return stores;
  };
  const inTransaction = createPostgresTransact(database, storesOn, options);
  return {
    stores: storesWith(database.db, createPostgresApplicationStore(database.db).store),
    transact: (work) =>
      inTransaction(async (stores) => {
        const result = await work(stores);
        await viewWriters.get(stores)!();
        return result;
      }),
    attempts: createPostgresAttemptLog(database.db),
  };
}
