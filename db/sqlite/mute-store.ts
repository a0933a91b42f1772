// Mutes (server/notices/mute-store.ts) on SQLite: application_mutes.
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { applicationMutes } from '../schema/index.ts';
import { EVERY_ADDRESS, type MuteStore } from '../../server/notices/mute-store.ts';

const p = sql.placeholder;

export function createSqliteMuteStore(db: Db): MuteStore {
  const muted = db
    .select({ at: applicationMutes.mutedAt })
    .from(applicationMutes)
    .where(
      and(
        eq(applicationMutes.applicationNo, p('applicationNo')),
        isNull(applicationMutes.unmutedAt),
        or(
          and(eq(applicationMutes.channel, p('channel')), eq(applicationMutes.address, p('address'))),
          and(eq(applicationMutes.channel, EVERY_ADDRESS.channel), eq(applicationMutes.address, EVERY_ADDRESS.address)),
        ),
      ),
    )
    .limit(1)
    .prepare();

  return {
    isMuted: async (applicationNo, channel, address) => muted.get({ applicationNo, channel, address }) !== undefined,
    async mute(applicationNo, channel, address, source, at) {
      db.insert(applicationMutes)
        .values({ applicationNo, channel, address, source, mutedAt: at, unmutedAt: null })
        .onConflictDoUpdate({
          target: [applicationMutes.applicationNo, applicationMutes.channel, applicationMutes.address],
          set: { source, mutedAt: at, unmutedAt: null },
          setWhere: sql`${applicationMutes.unmutedAt} IS NOT NULL`,
        })
        .run();
    },
    async unmute(applicationNo, channel, address, at) {
      const every = channel === EVERY_ADDRESS.channel && address === EVERY_ADDRESS.address;
      const which = every
        ? undefined
        : or(
            and(eq(applicationMutes.channel, channel), eq(applicationMutes.address, address)),
            and(eq(applicationMutes.channel, EVERY_ADDRESS.channel), eq(applicationMutes.address, EVERY_ADDRESS.address)),
          );
      return db
        .update(applicationMutes)
        .set({ unmutedAt: at })
        .where(and(eq(applicationMutes.applicationNo, applicationNo), isNull(applicationMutes.unmutedAt), which))
        .run().changes;
    },
    ofApplication: async (applicationNo) =>
      db.select().from(applicationMutes).where(eq(applicationMutes.applicationNo, applicationNo)).orderBy(asc(applicationMutes.mutedAt), asc(applicationMutes.channel), asc(applicationMutes.address)).all(),
  };
}
