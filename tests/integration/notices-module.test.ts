// The notices module as a plugin over the dispatcher's store port (DeliveryQueue): what the port answers on the
// app's database (SQLite or PostgreSQL), and the plugin's declared dependency on the stores.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ChannelKind } from '../../channels/channel.ts';
import { noticesPlugin, type NoticesPluginOptions } from '../../server/notices/plugin.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { deliveryQueueOf } from '../support/delivery-queue.ts';

const MINUTE = 60_000;

async function queueWorld() {
  const t = await buildTestApp({ deps: { startDispatcher: false, startSweeper: false } });
  const start = t.clock.now();
  const row = (id: string, over: { channel?: ChannelKind; address?: string; applicationNo?: string | null; lane?: number; dueIn?: number } = {}) =>
    t.app.stores.outbox.insert({
      id,
      applicationNo: over.applicationNo ?? null,
      recipientKind: 'customer',
      recipientRef: null,
      channel: over.channel ?? 'sms',
      address: over.address ?? '13800001111',
      noticeKind: 'bind_code',
      variables: { code: '123456', validMinutes: 10 },
      text: `验证码 ${id}`,
      content: null,
      segments: 1,
      urgent: true,
      lane: over.lane ?? 1,
      nextAttemptAt: start + (over.dueIn ?? 0),
      createdAt: start,
    });
  // on PostgreSQL another instance's queue, whose claims lapse after a minute
  const queue = await deliveryQueueOf(t, { claimLeaseMs: MINUTE });
  /** the rows as the dispatcher would claim them: as `due` read them */
  const read = async (...ids: string[]) => (await queue.due(start, ['sms'], 100)).filter((r) => ids.includes(r.id));
  return { t, start, row, queue, read };
}

const statusOf = (t: TestApp, id: string) => t.app.stores.outbox.byId(id);

describe('the delivery queue store port', () => {
  it('offers due rows on the asked channels, the priority lane first, and a later one of a thread only after the earlier is sent', async () => {
    const { t, start, row, queue, read } = await queueWorld();
    await row('later-due', { dueIn: 10 * MINUTE });
    await row('first', { applicationNo: 'YX2026-0001' });
    await row('second-of-thread', { applicationNo: 'YX2026-0001' });
    await row('priority', { lane: 0, address: '13800002222' });
    await row('wechat', { channel: 'wechat', address: 'wxid_a' });
    expect((await queue.due(start, ['sms'], 10)).map((r) => r.id)).toEqual(['priority', 'first']);
    expect((await queue.due(start, ['wechat'], 10)).map((r) => r.id)).toEqual(['wechat']);
    expect((await queue.due(start, [], 10))).toEqual([]);
    expect(await queue.nextDueAt()).toBe(start);

    await queue.claim(await read('first'), start);
    await queue.recordOutcomes([{ id: 'first', status: 'sent', provider: 'twilio', providerId: 'SM1', at: start + 1 }]);
    expect(await statusOf(t, 'first')).toMatchObject({ status: 'sent', attempts: 1, providerId: 'SM1' });
    expect((await queue.due(start, ['sms'], 10)).map((r) => r.id)).toEqual(['priority', 'second-of-thread']);
    expect((await queue.due(start + 10 * MINUTE, ['sms'], 10)).map((r) => r.id)).toContain('later-due');
  });

  it('claims a row once: a second dispatcher asking for the same rows gets none of those already taken', async () => {
    const { t, start, row, queue, read } = await queueWorld();
    await row('a');
    await row('b', { address: '13800002222' });
    const [a, b] = await read('a', 'b');
    expect([...(await queue.claim([a!], start))]).toEqual(['a']);
    expect([...(await queue.claim([a!, b!], start))]).toEqual(['b']);
    expect(await statusOf(t, 'a')).toMatchObject({ status: 'sending', attempts: 1, claimedAt: start });
    expect(await queue.due(start, ['sms'], 10)).toEqual([]);
  });

  it('puts a row off unclaimed, refuses one for good, and gives an attempt back only when told it did not count', async () => {
    const { t, start, row, queue, read } = await queueWorld();
    await row('put-off');
    await row('refused', { address: '13800002222' });
    await row('retried', { address: '13800003333' });
    await queue.putOff('put-off', start + 5 * MINUTE, start);
    await queue.refuse('refused', 'opted out', start);
    expect((await queue.due(start, ['sms'], 10)).map((r) => r.id)).toEqual(['retried']);
    expect(await statusOf(t, 'put-off')).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: start + 5 * MINUTE });
    expect(await statusOf(t, 'refused')).toMatchObject({ status: 'failed', attempts: 0, lastError: 'opted out' });

    await queue.claim(await read('retried'), start);
    await queue.recordOutcomes([{ id: 'retried', status: 'pending', nextAttemptAt: start + MINUTE, lastError: 'in doubt', at: start, inDoubtSince: start, notCounted: true }]);
    expect(await statusOf(t, 'retried')).toMatchObject({ status: 'pending', attempts: 0, inDoubtSince: start, nextAttemptAt: start + MINUTE });
  });

  it('puts rows a stopped process left sending back in the queue, in doubt since their claim', async () => {
    const { t, start, row, queue, read } = await queueWorld();
    await row('left-sending');
    await queue.claim(await read('left-sending'), start);
    expect(await queue.recoverSending(start + MINUTE)).toBe(1);
    expect(await statusOf(t, 'left-sending')).toMatchObject({ status: 'pending', inDoubtSince: start, nextAttemptAt: start + MINUTE });
    expect(await queue.recoverSending(start + MINUTE)).toBe(0);
  });

  it('keeps opt-outs per channel and address, and what went to an address lately', async () => {
    const { start, row, queue, read } = await queueWorld();
    expect(await queue.isOptedOut('sms', '13800001111')).toBe(false);
    await queue.optOut('sms', '13800001111', start, 'twilio:21610');
    expect(await queue.isOptedOut('sms', '13800001111')).toBe(true);
    expect(await queue.isOptedOut('wechat', '13800001111')).toBe(false);

    await row('went');
    await queue.claim(await read('went'), start);
    await queue.recordOutcomes([{ id: 'went', status: 'sent', provider: 'twilio', providerId: 'SM2', at: start + 1 }]);
    expect(await queue.recentTo('sms', '13800001111', start)).toEqual([{ at: start + 1, noticeKind: 'bind_code', text: '验证码 went', variables: { code: '123456', validMinutes: 10 } }]);
    expect(await queue.recentTo('sms', '13800001111', start + 2)).toEqual([]);
  });
});

describe('the notices plugin', () => {
  it('decorates the app with the writer, the dispatcher, delivery reports, mutes, unsubscribe links and the channels', async () => {
    const t = await buildTestApp({ deps: { startSweeper: false } });
    const { notices } = t.app;
    expect(Object.keys(notices).sort()).toEqual(['channels', 'deliveryStatus', 'dispatcher', 'mutes', 'unsubscribe', 'writer']);
    // the module is their one home: no bag of services is left to hold them too
    expect(t.app.hasDecorator('jiedian')).toBe(false);
    const link = new URL(notices.unsubscribe.link('a@example.cn', t.clock.now()));
    expect(notices.unsubscribe.addressOf(link.searchParams.get('token')!, t.clock.now())).toBe('a@example.cn');
  });

  it('will not start without the stores plugin it depends on, and says which', async () => {
    const app = Fastify();
    app.register(noticesPlugin, {} as NoticesPluginOptions);
    await expect(app.ready()).rejects.toThrow(/stores/);
  });
});
