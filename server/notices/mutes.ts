// A customer's mute (免打扰) of one application's notices, as the kiosk's switch sets it and staff see it. SMS and
// WeChat mute through the chat (`TD <申请编号>`), per address; notice writing and dispatch check the store.
import { formatInstant } from '../domain/dates.ts';
import { EVERY_ADDRESS } from './mute-store.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Stores, Transact } from '../stores.ts';

export interface MuteState {
  /** notices about the application go to none of the customer's addresses (the mandatory ones excepted) */
  muted: boolean;
  mutedAt: string | null;
}

export interface MuteView {
  /** `*` with address `*`: every address of the application */
  channel: string;
  address: string;
  source: string;
  mutedAt: string;
  unmutedAt: string | null;
}

export function createMuteService(ctx: Pick<ServiceContext, 'clock' | 'timeZone'>, { stores, transact }: { stores: Stores; transact: Transact }) {
  const instant = (ms: number) => formatInstant(ms, ctx.timeZone);

  async function state(applicationNo: string): Promise<MuteState> {
    const row = (await stores.mutes.ofApplication(applicationNo)).find((m) => m.channel === EVERY_ADDRESS.channel && m.address === EVERY_ADDRESS.address && m.unmutedAt === null);
    return { muted: row !== undefined, mutedAt: row ? instant(row.mutedAt) : null };
  }

  return {
    state,

    /** The kiosk's switch: mutes every address of the application, or lifts every mute of it. */
    async set(applicationNo: string, muted: boolean, source: 'kiosk' | 'web'): Promise<MuteState> {
      const now = ctx.clock.now();
      await transact(async ({ mutes }) => {
        if (muted) await mutes.mute(applicationNo, EVERY_ADDRESS.channel, EVERY_ADDRESS.address, source, now);
        else await mutes.unmute(applicationNo, EVERY_ADDRESS.channel, EVERY_ADDRESS.address, now);
      });
      return state(applicationNo);
    },

    /** Who muted what, and when, lifted mutes included (the staff application page). */
    ofApplication: async (applicationNo: string): Promise<MuteView[]> =>
      (await stores.mutes.ofApplication(applicationNo)).map((m) => ({
        channel: m.channel,
        address: m.address,
        source: m.source,
        mutedAt: instant(m.mutedAt),
        unmutedAt: m.unmutedAt === null ? null : instant(m.unmutedAt),
      })),
  };
}

export type MuteService = ReturnType<typeof createMuteService>;
