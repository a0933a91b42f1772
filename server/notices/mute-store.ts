// The store port of mutes (免打扰) of one application's notices, per address or for every address of the application.

/** The channel and address of a mute that covers every address of the application (the kiosk's switch). */
export const EVERY_ADDRESS = { channel: '*', address: '*' } as const;

export interface Mute {
  applicationNo: string;
  /** `*` with address `*`: every address of the application */
  channel: string;
  address: string;
  /** where the customer said it: sms, wechat, kiosk or web */
  source: string;
  mutedAt: number;
  unmutedAt: number | null;
}

export interface MuteStore {
  /** Whether notices about `applicationNo` to this address are muted (by the address itself or for every address). */
  isMuted(applicationNo: string, channel: string, address: string): Promise<boolean>;
  /** Mutes the address (or `EVERY_ADDRESS`); a mute already in force keeps its source and time. */
  mute(applicationNo: string, channel: string, address: string, source: string, at: number): Promise<void>;
  /**
   * Lifts the mutes that keep notices from this address (its own and the application-wide one); for
   * `EVERY_ADDRESS`, every mute of the application. Returns how many were lifted.
   */
  unmute(applicationNo: string, channel: string, address: string, at: number): Promise<number>;
  /** Every mute of the application, lifted ones included, oldest first. */
  ofApplication(applicationNo: string): Promise<Mute[]>;
}
