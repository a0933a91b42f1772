// The Official Account store port's contract, run against every implementation: SQLite and PostgreSQL give the same
// answers, and a callback is recorded as handled once however many instances take WeChat's retries at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WechatOaStore } from '../../server/inbound/wechat-oa-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

const callback = (dedupeKey: string, passiveReply: string | null = null) => ({ dedupeKey, openId: 'oOPENID1', receivedAt: 1_000, passiveReply });

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
    expect(await store.handled('msg:1001')).toEqual(callback('msg:1001', '您好'));
    expect(await store.markHandled(callback('event:oOPENID1:1700000000:subscribe'))).toBe(true);
    expect(await store.handled('event:oOPENID1:1700000000:subscribe')).toEqual(callback('event:oOPENID1:1700000000:subscribe'));
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
      expect(kept).toEqual(callback('msg:2002', `答复 ${acted[0]}`));
      expect(await a.stores.wechatOa.handled('msg:2002')).toEqual(kept);
      expect(await a.stores.outbox.optOutSource('wechat_oa', 'oOPENID1')).toBe(`wechat_oa:${acted[0]}`);
    } finally {
      await two.close();
    }
  });
});
