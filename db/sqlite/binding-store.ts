// Bindings (server/chat/binding-store.ts) on SQLite: channel_bindings, and the account's applications for the scope
// of a binding kept before scopes were.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { applications, channelBindings } from '../schema/index.ts';
import type { BindingChannel, BindingStore, BindingTarget } from '../../server/chat/binding-store.ts';

const p = sql.placeholder;

export function createSqliteBindingStore(db: Db): BindingStore {
  const ofAddress = db
    .select({ accountNo: channelBindings.accountNo, applicationNos: channelBindings.applicationNos })
    .from(channelBindings)
    .where(and(eq(channelBindings.channel, p('channel')), eq(channelBindings.address, p('address'))))
    .orderBy(desc(channelBindings.verifiedAt))
    .prepare();
  const ofAccount = db
    .select({ channel: channelBindings.channel, address: channelBindings.address, applicationNos: channelBindings.applicationNos })
    .from(channelBindings)
    .where(eq(channelBindings.accountNo, p('accountNo')))
    .prepare();
  const applicationPhones = db
    .select({ applicationNo: applications.applicationNo, phone: applications.phone, status: applications.status })
    .from(applications)
    .where(eq(applications.accountNo, p('accountNo')))
    .orderBy(desc(applications.acceptedAt), desc(applications.applicationNo))
    .prepare();

  function legacyScope(accountNo: string): string[] {
    const rows = applicationPhones.all({ accountNo });
    const latest = rows.find((r) => r.status === 'active') ?? rows[0];
    return latest ? rows.filter((r) => r.phone === latest.phone).map((r) => r.applicationNo) : [];
  }

  function covering(accountNo: string, applicationNo: string): BindingTarget[] {
    let legacy: string[] | undefined;
    return ofAccount
      .all({ accountNo })
      .filter((b) => (b.applicationNos ?? (legacy ??= legacyScope(accountNo))).includes(applicationNo))
      .map(({ channel, address }) => ({ channel: channel as BindingChannel, address }));
  }

  return {
    async bind({ channel, address, accountNo, at, applicationNos }) {
      db.insert(channelBindings)
        .values({ channel, address, accountNo, verifiedAt: at, applicationNos })
        .onConflictDoUpdate({
          target: [channelBindings.channel, channelBindings.address, channelBindings.accountNo],
          set: applicationNos === null ? { verifiedAt: at } : { verifiedAt: at, applicationNos },
        })
        .run();
    },
    async unbindAll({ channel, address }) {
      return db.delete(channelBindings).where(and(eq(channelBindings.channel, channel), eq(channelBindings.address, address))).run().changes;
    },
    async boundTo({ channel, address }) {
      return ofAddress.all({ channel, address }).map((b) => ({ accountNo: b.accountNo, applicationNos: b.applicationNos ?? legacyScope(b.accountNo) }));
    },
    async ofAccount(accountNo) {
      return ofAccount.all({ accountNo }).map(({ channel, address }) => ({ channel: channel as BindingChannel, address }));
    },
    covering: async (accountNo, applicationNo) => covering(accountNo, applicationNo),
    legacyScope: async (accountNo) => legacyScope(accountNo),
  };
}
