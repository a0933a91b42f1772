// Bindings (server/chat/binding-store.ts) on PostgreSQL.
import { and, desc, eq } from 'drizzle-orm';
import type { BindingChannel, BindingStore } from '../../server/chat/binding-store.ts';
import type { PgExecutor } from './client.ts';
import { applications, channelBindings } from './schema/index.ts';

export function createPostgresBindingStore(db: PgExecutor): BindingStore {
  async function legacyScope(accountNo: string): Promise<string[]> {
    const rows = await db
      .select({ applicationNo: applications.applicationNo, phone: applications.phone, status: applications.status })
      .from(applications)
      .where(eq(applications.accountNo, accountNo))
      .orderBy(desc(applications.acceptedAt), desc(applications.applicationNo));
    const latest = rows.find((r) => r.status === 'active') ?? rows[0];
    return latest ? rows.filter((r) => r.phone === latest.phone).map((r) => r.applicationNo) : [];
  }
  const ofAccount = (accountNo: string) =>
    db.select({ channel: channelBindings.channel, address: channelBindings.address, applicationNos: channelBindings.applicationNos }).from(channelBindings).where(eq(channelBindings.accountNo, accountNo));

  return {
    async bind({ channel, address, accountNo, at, applicationNos }) {
      await db
        .insert(channelBindings)
        .values({ channel, address, accountNo, verifiedAt: at, applicationNos })
        .onConflictDoUpdate({
          target: [channelBindings.channel, channelBindings.address, channelBindings.accountNo],
          set: applicationNos === null ? { verifiedAt: at } : { verifiedAt: at, applicationNos },
        });
    },
    async unbindAll({ channel, address }) {
      const removed = await db
        .delete(channelBindings)
        .where(and(eq(channelBindings.channel, channel), eq(channelBindings.address, address)))
        .returning({ accountNo: channelBindings.accountNo });
      return removed.length;
    },
    async boundTo({ channel, address }) {
      const rows = await db
        .select({ accountNo: channelBindings.accountNo, applicationNos: channelBindings.applicationNos })
        .from(channelBindings)
        .where(and(eq(channelBindings.channel, channel), eq(channelBindings.address, address)))
        .orderBy(desc(channelBindings.verifiedAt));
      const bound = [];
      for (const row of rows) bound.push({ accountNo: row.accountNo, applicationNos: row.applicationNos ?? (await legacyScope(row.accountNo)) });
      return bound;
    },
    async ofAccount(accountNo) {
      return (await ofAccount(accountNo)).map(({ channel, address }) => ({ channel: channel as BindingChannel, address }));
    },
    async covering(accountNo, applicationNo) {
      const rows = await ofAccount(accountNo);
      const legacy = rows.some((b) => b.applicationNos === null) ? await legacyScope(accountNo) : [];
      return rows.filter((b) => (b.applicationNos ?? legacy).includes(applicationNo)).map(({ channel, address }) => ({ channel: channel as BindingChannel, address }));
    },
    legacyScope,
  };
}
