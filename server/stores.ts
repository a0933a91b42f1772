// The store ports services write and read through, one per domain noun, and the unit of work that hands a write
// transaction's body its transaction-scoped stores. Each database implements them (SQLite: db/sqlite/).
import fp from 'fastify-plugin';
import type { ApplicationStore } from './applications/application-store.ts';
import type { StaffAccounts } from './staff/staff-accounts.ts';
import type { AlertStore } from './time-limits/alert-store.ts';
import type { BindingStore } from './chat/binding-store.ts';
import type { ChatStore } from './chat/chat-store.ts';
import type { HurryStore } from './hurries/hurry-store.ts';
import type { MuteStore } from './notices/mute-store.ts';
import type { Outbox } from './notices/outbox.ts';
import type { SmsReceiptStore } from './inbound/sms-receipt-store.ts';
import type { WechatOaStore } from './inbound/wechat-oa-store.ts';
import type { RiskStore } from './risks/risk-store.ts';

export interface Stores {
  applications: ApplicationStore;
  staff: StaffAccounts;
  alerts: AlertStore;
  bindings: BindingStore;
  chats: ChatStore;
  hurries: HurryStore;
  mutes: MuteStore;
  outbox: Outbox;
  risks: RiskStore;
  smsReceipts: SmsReceiptStore;
  wechatOa: WechatOaStore;
}

/**
 * Runs `work` as one write transaction with stores bound to it: committed when it resolves, rolled back when it
 * throws. The body may await its stores and nothing else (no provider calls, no timers): on SQLite every write
 * transaction of the database waits its turn in one queue, and a body that awaits anything else is refused.
 */
export type Transact = <T>(work: (stores: Stores) => Promise<T>) => Promise<T>;

export interface StoresPluginOptions {
  /** for reads outside a transaction */
  stores: Stores;
  transact: Transact;
}

declare module 'fastify' {
  interface FastifyInstance {
    stores: Stores;
    transact: Transact;
  }
}

/** Decorates the app with the stores and the unit of work of one database. */
export const storesPlugin = fp<StoresPluginOptions>(
  async (app, options) => {
    app.decorate('stores', options.stores);
    app.decorate('transact', options.transact);
  },
  { name: 'stores' },
);
