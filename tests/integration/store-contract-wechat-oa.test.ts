// The Official Account store port's contract, run against every implementation: SQLite and PostgreSQL give the same
// answers, and a callback is recorded as handled once however many instances take WeChat's retries at once; a text is
// claimed by one instance, answered by it, and taken over only when its claim was left unanswered too long.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WechatOaStore } from '../../server/inbound/wechat-oa-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

const callback = (dedupeKey: string, passiveReply: string | null = null) => ({ dedupeKey, openId: 'oOPENID1', receivedAt: 1_000, passiveReply });
const handled = (dedupeKey: string, passiveReply: string | null = null) => ({ ...callback(dedupeKey, passiveReply), pending: false });

describe.each(storeImplementations)('the Official Account store on $name', (implementation) => {
  let store: WechatOaStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open();
    store = opened.stores.wechatOa;
    close = opened.close;
  });
  afterAll(() => close());

  it('keeps one access token per app id, the latest saved', async () => {
    expect(await store.accessToken('wxAPP')).toBeNull();
    await store.saveAccessToken('wxAPP', { token: 'TOKEN-1', expiresAt: 7_000 }, 10);
    await store.saveAccessToken('wxAPP', { token: 'TOKEN-2', expiresAt: 9_000 }, 20);
    await store.saveAccessToken('wxOTHER', { token: 'TOKEN-X', expiresAt: 5_000 }, 20);
    expect(await store.accessToken('wxAPP')).toEqual({ token: 'TOKEN-2', expiresAt: 9_000 });
    expect(await store.accessToken('wxOTHER')).toEqual({ token: 'TOKEN-X', expiresAt: 5_000 });
  });

  it('records a callback as handled once, and gives a retry the passive reply of the first', async () => {
    expect(await store.handled('msg:1001')).toBeNull();
    expect(await store.markHandled(callback('msg:1001', '您好'))).toBe(true);
    expect(await store.markHandled(callback('msg:1001', '另一个答复'))).toBe(false);
    expect(await store.handled('msg:1001')).toEqual(handled('msg:1001', '您好'));
    expect(await store.markHandled(callback('event:oOPENID1:1700000000:subscribe'))).toBe(true);
    expect(await store.handled('event:oOPENID1:1700000000:subscribe')).toEqual(handled('event:oOPENID1:1700000000:subscribe'));
  });

  it('of a retry reaching two instances at once, exactly one acts on it and both units of work commit', async () => {
    const two = await implementation.openTwo();
    try {
      const [a, b] = two.instances;
      const acted: string[] = [];
      const handle = (name: string, instance: typeof a) =>
        instance.transact(async (stores) => {
          const fresh = await stores.wechatOa.markHandled(callback('msg:2002', `答复 ${name}`));
          // what the callback does is written in the same unit of work, only by the instance that recorded it
          if (fresh) await stores.outbox.optOut('wechat_oa', 'oOPENID1', 1_000, `wechat_oa:${name}`);
          if (fresh) acted.push(name);
          return fresh;
        });
      const outcomes = await Promise.all([handle('A', a), handle('B', b), handle('A', a), handle('B', b)]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(acted).toHaveLength(1);
      const kept = await b.stores.wechatOa.handled('msg:2002');
      expect(kept).toEqual(handled('msg:2002', `答复 ${acted[0]}`));
      expect(await a.stores.wechatOa.handled('msg:2002')).toEqual(kept);
      expect(await a.stores.outbox.optOutSource('wechat_oa', 'oOPENID1')).toBe(`wechat_oa:${acted[0]}`);
    } finally {
      await two.close();
    }
  });

  it('claims a text for one instance until it answers; a claim left unanswered too long is taken over, a released one is free', async () => {
    const claim = { dedupeKey: 'msg:3003', openId: 'oOPENID1', receivedAt: 5_000 };
    expect(await store.claim(claim, 0)).toBe(true);
    expect(await store.handled('msg:3003')).toEqual({ ...claim, passiveReply: null, pending: true });
    // another instance given it meanwhile: not its to answer
    expect(await store.claim({ ...claim, receivedAt: 5_100 }, 0)).toBe(false);
    // a retry long after finds the claim unanswered since before its stale time: the claimant died answering
    expect(await store.claim({ ...claim, receivedAt: 40_000 }, 10_000)).toBe(true);
    expect(await store.handled('msg:3003')).toEqual({ ...claim, receivedAt: 40_000, passiveReply: null, pending: true });
    await store.answer('msg:3003', '您的工单正在现场勘查');
    expect(await store.handled('msg:3003')).toEqual({ ...claim, receivedAt: 40_000, passiveReply: '您的工单正在现场勘查', pending: false });
    // answered: never claimed again, however old
    expect(await store.claim({ ...claim, receivedAt: 90_000 }, 80_000)).toBe(false);
    await store.release('msg:3003');
    expect((await store.handled('msg:3003'))?.pending).toBe(false);

    // a claim given up (the turn failed) leaves the text free for WeChat's retry
    expect(await store.claim({ ...claim, dedupeKey: 'msg:3004' }, 0)).toBe(true);
    await store.release('msg:3004');
    expect(await store.handled('msg:3004')).toBeNull();
    expect(await store.claim({ ...claim, dedupeKey: 'msg:3004' }, 0)).toBe(true);
  });

  it('of a text given to two instances at once, exactly one claims it', async () => {
    const two = await implementation.openTwo();
    try {
      const [a, b] = two.instances;
      const claim = { dedupeKey: 'msg:4004', openId: 'oOPENID1', receivedAt: 5_000 };
      const claimed = await Promise.all([a.stores.wechatOa.claim(claim, 0), b.stores.wechatOa.claim(claim, 0), a.stores.wechatOa.claim(claim, 0), b.stores.wechatOa.claim(claim, 0)]);
      expect(claimed.filter(Boolean)).toHaveLength(1);
    } finally {
      await two.close();
    }
  });
});
