// Mutes (server/notices/mute-store.ts) on PostgreSQL: the same questions as db/sqlite/mute-store.ts.
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { applicationMutes } from './schema/index.ts';
import { EVERY_ADDRESS, type MuteStore } from '../../server/notices/mute-store.ts';

const everyAddress = and(eq(applicationMutes.channel, EVERY_ADDRESS.channel), eq(applicationMutes.address, EVERY_ADDRESS.address));

export function createPostgresMuteStore(db: PgExecutor): MuteStore {
  const keeping = (channel: string, address: string) => or(and(eq(applicationMutes.channel, channel), eq(applicationMutes.address, address)), everyAddress);
  return {
    async isMuted(applicationNo, channel, address) {
      const rows = await db
        .select({ at: applicationMutes.mutedAt })
        .from(applicationMutes)
        .where(and(eq(applicationMutes.applicationNo, applicationNo), isNull(applicationMutes.unmutedAt), keeping(channel, address)))
        .limit(1);
      return rows.length > 0;
    },
    async mute(applicationNo, channel, address, source, at) {
      await db
        .insert(applicationMutes)
        .values({ applicationNo, channel, address, source, mutedAt: at, unmutedAt: null })
        .onConflictDoUpdate({
          target: [applicationMutes.applicationNo, applicationMutes.channel, applicationMutes.address],
          set: { source, mutedAt: at, unmutedAt: null },
          setWhere: sql`${applicationMutes.unmutedAt} IS NOT NULL`,
        });
    },
    async unmute(applicationNo, channel, address, at) {
      const every = channel === EVERY_ADDRESS.channel && address === EVERY_ADDRESS.address;
      const lifted = await db
        .update(applicationMutes)
        .set({ unmutedAt: at })
        .where(and(eq(applicationMutes.applicationNo, applicationNo), isNull(applicationMutes.unmutedAt), every ? undefined : keeping(channel, address)))
        .returning({ channel: applicationMutes.channel });
      return lifted.length;
    },
    ofApplication: async (applicationNo) =>
      db.select().from(applicationMutes).where(eq(applicationMutes.applicationNo, applicationNo)).orderBy(asc(applicationMutes.mutedAt), asc(applicationMutes.channel), asc(applicationMutes.address)),
  };
}
