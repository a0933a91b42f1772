// The mute store port's contract, run against every implementation: SQLite and PostgreSQL give the same answers over
// the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERY_ADDRESS, type MuteStore } from '../../server/notices/mute-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

const APPLICATION = 'YX2026-0001';

describe.each(storeImplementations)('mutes on $name', (implementation) => {
  let mutes: MuteStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open();
    mutes = opened.stores.mutes;
    close = opened.close;
  });
  afterAll(() => close());

  it('mutes one address of one application', async () => {
    await mutes.mute(APPLICATION, 'sms', '13800001111', 'sms', 10);
    expect(await mutes.isMuted(APPLICATION, 'sms', '13800001111')).toBe(true);
    expect(await mutes.isMuted(APPLICATION, 'wechat', 'wxid_a')).toBe(false);
    expect(await mutes.isMuted('YX2026-0002', 'sms', '13800001111')).toBe(false);
  });

  it('keeps the source and time of a mute already in force when muted again', async () => {
    await mutes.mute(APPLICATION, 'sms', '13800001111', 'kiosk', 20);
    expect(await mutes.ofApplication(APPLICATION)).toEqual([{ applicationNo: APPLICATION, channel: 'sms', address: '13800001111', source: 'sms', mutedAt: 10, unmutedAt: null }]);
  });

  it('a mute of every address covers each address; lifting it for one address lifts it and that address\'s own', async () => {
    await mutes.mute(APPLICATION, EVERY_ADDRESS.channel, EVERY_ADDRESS.address, 'kiosk', 30);
    expect(await mutes.isMuted(APPLICATION, 'wechat', 'wxid_a')).toBe(true);
    expect(await mutes.unmute(APPLICATION, 'sms', '13800001111', 40)).toBe(2);
    expect(await mutes.isMuted(APPLICATION, 'sms', '13800001111')).toBe(false);
    expect(await mutes.isMuted(APPLICATION, 'wechat', 'wxid_a')).toBe(false);
    expect(await mutes.unmute(APPLICATION, 'sms', '13800001111', 45)).toBe(0);
  });

  it('muting again after a lift starts a new mute; lifting every address lifts every mute of the application only', async () => {
    await mutes.mute(APPLICATION, 'sms', '13800001111', 'web', 50);
    await mutes.mute(APPLICATION, 'wechat', 'wxid_a', 'wechat', 60);
    await mutes.mute('YX2026-0002', 'sms', '13800002222', 'sms', 60);
    expect(await mutes.unmute(APPLICATION, EVERY_ADDRESS.channel, EVERY_ADDRESS.address, 70)).toBe(2);
    expect(await mutes.ofApplication(APPLICATION)).toEqual([
      { applicationNo: APPLICATION, channel: '*', address: '*', source: 'kiosk', mutedAt: 30, unmutedAt: 40 },
      { applicationNo: APPLICATION, channel: 'sms', address: '13800001111', source: 'web', mutedAt: 50, unmutedAt: 70 },
      { applicationNo: APPLICATION, channel: 'wechat', address: 'wxid_a', source: 'wechat', mutedAt: 60, unmutedAt: 70 },
    ]);
    expect(await mutes.isMuted('YX2026-0002', 'sms', '13800002222')).toBe(true);
  });
});
