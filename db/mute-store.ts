// Mutes of one application's notices (免打扰), per address or for every address of the application.
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { applicationMutes } from './schema/index.ts';

export type MuteRow = typeof applicationMutes.$inferSelect;

/** The channel and address of a mute that covers every address of the application (the kiosk's switch). */
export const EVERY_ADDRESS = { channel: '*', address: '*' } as const;

const p = sql.placeholder;

export function createMuteStore(db: Db) {
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
    /** Whether notices about `applicationNo` to this address are muted (by the address itself or for every address). */
    isMuted: (applicationNo: string, channel: string, address: string) => muted.get({ applicationNo, channel, address }) !== undefined,

    mute(applicationNo: string, channel: string, address: string, source: string, at: number): void {
      db.insert(applicationMutes)
        .values({ applicationNo, channel, address, source, mutedAt: at, unmutedAt: null })
        .onConflictDoUpdate({
          target: [applicationMutes.applicationNo, applicationMutes.channel, applicationMutes.address],
          set: { source, mutedAt: at, unmutedAt: null },
          setWhere: sql`${applicationMutes.unmutedAt} IS NOT NULL`,
        })
        .run();
    },

    /**
     * Lifts the mutes that keep notices from this address (its own and the application-wide one); for
     * `EVERY_ADDRESS`, every mute of the application. Returns how many were lifted.
     */
    unmute(applicationNo: string, channel: string, address: string, at: number): number {
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

    /** Every mute of the application, lifted ones included, oldest first. */
    ofApplication: (applicationNo: string): MuteRow[] =>
      db.select().from(applicationMutes).where(eq(applicationMutes.applicationNo, applicationNo)).orderBy(asc(applicationMutes.mutedAt)).all(),
  };
}

export type MuteStore = ReturnType<typeof createMuteStore>;
