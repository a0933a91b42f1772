// The WeCom (企业微信) channel against a fake WeCom API: access tokens, duplicate checking and the per-member limit.
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../channels/channel.ts';
import { WecomChannel } from '../../channels/wecom/wecom-channel.ts';
import { startFakeWecom, type FakeWecom } from '../support/fake-wecom.ts';

let fake: FakeWecom | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

const message = (outboxId: string, to: string, text = `【催办提醒】工单号：YX2026-0001（${outboxId}）`) => ({
  outboxId,
  to,
  text,
  notice: { kind: 'hurry_for_handler', variables: {} },
});

function channelFor(wecom: FakeWecom, clock?: { now: () => number; sleepUntil: (at: number) => Promise<void> }) {
  return new WecomChannel({ corpId: wecom.corpId, agentId: wecom.agentId, secret: wecom.secret, apiBaseUrl: wecom.url, ...clock });
}

/** A clock that moves only when the channel waits: waiting is instant, and when it ends is exact. */
function virtualClock(start: number) {
  let now = start;
  return {
    now: () => now,
    sleepUntil: async (at: number) => {
      now = Math.max(now, at);
    },
  };
}

describe('the WeCom channel', () => {
  it('sends a text application message to the member, asking WeCom to drop a repeat', async () => {
    fake = await startFakeWecom({ members: ['liming'] });
    const result = await channelFor(fake).send(message('obx-1', 'liming', '【催办提醒】\n工单号：YX2026-0001'));
    expect(result).toEqual({ providerId: 'msg1', status: 'delivered' });
    expect(fake.sendRequests).toEqual([
      {
        touser: 'liming',
        msgtype: 'text',
        agentid: fake.agentId,
        text: { content: '【催办提醒】\n工单号：YX2026-0001' },
        enable_duplicate_check: 1,
        duplicate_check_interval: 1800,
      },
    ]);
    expect(fake.delivered.map((d) => [d.touser, d.content])).toEqual([['liming', '【催办提醒】\n工单号：YX2026-0001']]);
  });

  it('fetches one access token for many sends at once, and a new one once WeCom says it expired (42001)', async () => {
    fake = await startFakeWecom({ members: ['liming', 'wangfang'] });
    const channel = channelFor(fake);
    await Promise.all(Array.from({ length: 10 }, (_, i) => channel.send(message(`obx-${i}`, i % 2 ? 'liming' : 'wangfang'))));
    expect(fake.tokensIssued).toBe(1);
    expect(fake.delivered).toHaveLength(10);

    fake.expireTokens();
    await channel.send(message('obx-10', 'liming'));
    expect(fake.tokensIssued).toBe(2);
    expect(fake.delivered).toHaveLength(11);
    await channel.send(message('obx-11', 'liming'));
    expect(fake.tokensIssued).toBe(2);
  });

  it('a message sent again (a resend after a crash) is not delivered twice', async () => {
    fake = await startFakeWecom({ members: ['liming'] });
    const channel = channelFor(fake);
    await channel.send(message('obx-1', 'liming'));
    await channel.send(message('obx-1', 'liming'));
    expect(fake.delivered).toHaveLength(1);
    expect(fake.duplicates).toHaveLength(1);
  });

  it('waits instead of exceeding 30 messages a minute to one member, and never makes others wait for them', async () => {
    const start = Date.parse('2026-11-24T10:00:00+08:00');
    const clock = virtualClock(start);
    fake = await startFakeWecom({ members: ['liming', 'wangfang'], now: clock.now });
    const channel = channelFor(fake, clock);
    for (let i = 0; i < 35; i++) await channel.send(message(`obx-${i}`, 'liming'));
    // WeCom drops what goes beyond its limit: nothing was dropped, all 35 arrived
    expect(fake.dropped).toEqual([]);
    expect(fake.delivered.map((d) => d.content)).toEqual(Array.from({ length: 35 }, (_, i) => message(`obx-${i}`, 'liming').text));
    const offsets = fake.delivered.map((d) => d.at - start);
    expect(offsets.slice(0, 30).every((ms) => ms === 0)).toBe(true);
    expect(offsets.slice(30)).toEqual([60_000, 60_000, 60_000, 60_000, 60_000]);
    // another member is not held up by liming's backlog
    await channel.send(message('obx-other', 'wangfang'));
    expect(fake.delivered.at(-1)).toMatchObject({ touser: 'wangfang', at: start + 60_000 });
  });

  it('fails for good for someone who is not a member, and for a while when WeCom cannot be reached', async () => {
    fake = await startFakeWecom({ members: ['liming'] });
    const error = await channelFor(fake).send(message('obx-1', 'nobody')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ failure: 'permanent', providerCode: '81013' });

    const url = fake.url;
    await fake.close();
    fake = null;
    const unreachable = await new WecomChannel({ corpId: 'ww1', agentId: 1, secret: 's', apiBaseUrl: url }).send(message('obx-2', 'liming')).catch((e: unknown) => e);
    expect(unreachable).toMatchObject({ failure: 'temporary' });
  });
});
