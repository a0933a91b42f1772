// The Aliyun and Tencent adapters against the fakes: a timed-out send is in doubt and the provider is asked
// (findSent) before anything is sent again; a request signed with the wrong secret is refused by the fake.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError, type Channel, type OutboundMessage } from '../../channels/channel.ts';
import { AliyunSmsChannel } from '../../channels/sms-aliyun/channel.ts';
import { TencentSmsChannel, type TencentSmsOptions } from '../../channels/sms-tencent/channel.ts';
import { templatesDir } from '../../server/app.ts';
import { noticeSamples } from '../../server/domain/notices.ts';
import { readTemplateMap } from '../../server/domain/sms-template-maps.ts';
import { startFakeAliyunSms } from '../support/fake-aliyun-sms.ts';
import { startFakeTencentSms, type FakeTencentSms } from '../support/fake-tencent-sms.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
const logger = { info: () => {}, warn: () => {}, error: () => {} };
const mapOf = (provider: 'aliyun' | 'tencent') =>
  readTemplateMap(JSON.parse(fs.readFileSync(path.join(templatesDir, `sms-${provider}.json`), 'utf8')), provider).map!;

function message(outboxId: string): OutboundMessage {
  return { outboxId, to: '13800001111', text: '…', notice: { kind: 'step_started', variables: noticeSamples.step_started as unknown as Record<string, unknown> } };
}

function tencentChannel(fake: FakeTencentSms, over: Partial<TencentSmsOptions> = {}) {
  return new TencentSmsChannel({
    ...fake.credentials,
    signName: '接电助手',
    endpoint: fake.url,
    region: 'ap-guangzhou',
    templates: mapOf('tencent'),
    timeZone: 'Asia/Shanghai',
    logger,
    timeoutMs: 300,
    reportWaitMs: 0,
    ...over,
  });
}

interface Setup {
  channel: Channel;
  sentCount: () => number;
  timeoutNext: () => void;
  wrongSecret: () => Channel;
}

const setups: { name: string; start: () => Promise<Setup> }[] = [
  {
    name: 'aliyun',
    async start() {
      const fake = await startFakeAliyunSms();
      closers.push(() => fake.close());
      const make = (secret: string) =>
        new AliyunSmsChannel({ accessKeyId: fake.credentials.accessKeyId, accessKeySecret: secret, signName: '接电助手', endpoint: fake.url, templates: mapOf('aliyun'), timeZone: 'Asia/Shanghai', logger, timeoutMs: 300 });
      return { channel: make(fake.credentials.accessKeySecret), sentCount: () => fake.sent.length, timeoutNext: () => fake.failNext(1, { timeout: true }), wrongSecret: () => make('not-the-secret') };
    },
  },
  {
    name: 'tencent',
    async start() {
      const fake = await startFakeTencentSms();
      closers.push(() => fake.close());
      // no wait for reports: a message Tencent has no report of counts as not sent (the wait is tested below)
      const make = (secretKey: string) => tencentChannel(fake, { secretKey, reportWaitMs: 0 });
      return { channel: make(fake.credentials.secretKey), sentCount: () => fake.sent.length, timeoutNext: () => fake.failNext(1, { timeout: true }), wrongSecret: () => make('not-the-secret-key') };
    },
  },
];

describe.each(setups)('$name adapter', ({ start }) => {
  it('reports a send without an answer as in doubt, and finds it at the provider by the outbox id', async () => {
    const { channel, sentCount, timeoutNext } = await start();
    const since = Date.now() - 1000;
    timeoutNext();
    const error = await channel.send(message('obx-timeout')).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ failure: 'temporary', outcomeUnknown: true });
    expect(sentCount()).toBe(1);

    expect(await channel.findSent!(message('obx-timeout'), since)).toMatchObject({ status: 'delivered' });
    expect(await channel.findSent!(message('obx-never-sent'), since)).toBeNull();
    expect(sentCount()).toBe(1);
  });

  it('is refused by the provider when it signs with the wrong secret', async () => {
    const { wrongSecret, sentCount } = await start();
    const error = await wrongSecret().send(message('obx-bad-signature')).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ failure: 'permanent' });
    expect(sentCount()).toBe(0);
  });
});

describe('tencent adapter, before the carrier has reported', () => {
  it('cannot tell yet whether it has a message without a report until reportWaitMs has passed; then it has not', async () => {
    const fake = await startFakeTencentSms();
    closers.push(() => fake.close());
    let now = Date.now();
    const channel = tencentChannel(fake, { reportWaitMs: 120_000, now: () => now });
    const since = now - 1000;
    fake.holdReports(true);
    await channel.send(message('obx-unreported'));

    expect(await channel.findSent(message('obx-unreported'), since)).toEqual({ notKnownYet: true, askAgainAt: now + 30_000 });
    expect(await channel.findSent(message('obx-never-sent'), since)).toEqual({ notKnownYet: true, askAgainAt: now + 30_000 });
    fake.holdReports(false);
    expect(await channel.findSent(message('obx-unreported'), since)).toMatchObject({ status: 'delivered' });
    now = since + 120_000;
    expect(await channel.findSent(message('obx-never-sent'), since)).toBeNull();
    expect(fake.sent).toHaveLength(1);
  });
});
