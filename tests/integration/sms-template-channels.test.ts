// The Aliyun and Tencent adapters against the fakes: a timed-out send is in doubt and the provider is asked
// (findSent) before anything is sent again; a request signed with the wrong secret is refused by the fake.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError, type Channel, type OutboundMessage } from '../../channels/channel.ts';
import { AliyunSmsChannel } from '../../channels/sms-aliyun/channel.ts';
import { NO_STATUS_REPORT, TencentSmsChannel, type TencentSmsOptions } from '../../channels/sms-tencent/channel.ts';
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
  /** what findSent makes of a message the provider has no record of */
  neverSent: (found: Promise<unknown>) => Promise<void>;
}

const setups: { name: string; start: () => Promise<Setup> }[] = [
  {
    name: 'aliyun',
    async start() {
      const fake = await startFakeAliyunSms();
      closers.push(() => fake.close());
      const make = (secret: string) =>
        new AliyunSmsChannel({ accessKeyId: fake.credentials.accessKeyId, accessKeySecret: secret, signName: '接电助手', endpoint: fake.url, templates: mapOf('aliyun'), timeZone: 'Asia/Shanghai', logger, timeoutMs: 300 });
      return { channel: make(fake.credentials.accessKeySecret), sentCount: () => fake.sent.length, timeoutNext: () => fake.failNext(1, { timeout: true }), wrongSecret: () => make('not-the-secret'),
        neverSent: async (found) => expect(await found).toBeNull(),
      };
    },
  },
  {
    name: 'tencent',
    async start() {
      const fake = await startFakeTencentSms();
      closers.push(() => fake.close());
      // no wait for reports: a message Tencent has no report of counts as not sent (the wait is tested below)
      const make = (secretKey: string) => tencentChannel(fake, { secretKey, reportWaitMs: 0 });
      return { channel: make(fake.credentials.secretKey), sentCount: () => fake.sent.length, timeoutNext: () => fake.failNext(1, { timeout: true }), wrongSecret: () => make('not-the-secret-key'),
        // Tencent learns of a message only from its status report: none after the wait is doubt, never a resend
        neverSent: async (found) => expect(await found.then(() => null, (e: unknown) => e)).toMatchObject({ failure: 'permanent', providerCode: NO_STATUS_REPORT }),
      };
    },
  },
];

describe.each(setups)('$name adapter', ({ start }) => {
  it('reports a send without an answer as in doubt, and finds it at the provider by the outbox id', async () => {
    const { channel, sentCount, timeoutNext, neverSent } = await start();
    const since = Date.now() - 1000;
    timeoutNext();
    const error = await channel.send(message('obx-timeout')).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ failure: 'temporary', outcomeUnknown: true });
    expect(sentCount()).toBe(1);

    expect(await channel.findSent!(message('obx-timeout'), since)).toMatchObject({ status: 'delivered' });
    await neverSent(channel.findSent!(message('obx-never-sent'), since));
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
  it('cannot tell yet whether it has a message without a report until reportWaitMs has passed; then fails it in doubt with an operator alert', async () => {
    const fake = await startFakeTencentSms();
    closers.push(() => fake.close());
    let now = Date.now();
    const alerts: string[] = [];
    const errors: unknown[] = [];
    const channel = tencentChannel(fake, { reportWaitMs: 120_000, now: () => now, onOperatorAlert: (code) => alerts.push(code), logger: { ...logger, error: (...args: unknown[]) => void errors.push(args) } });
    const since = now - 1000;
    fake.holdReports(true);
    await channel.send(message('obx-unreported'));

    expect(await channel.findSent(message('obx-unreported'), since)).toEqual({ notKnownYet: true, askAgainAt: now + 30_000 });
    expect(await channel.findSent(message('obx-never-sent'), since)).toEqual({ notKnownYet: true, askAgainAt: now + 30_000 });
    fake.holdReports(false);
    expect(await channel.findSent(message('obx-unreported'), since)).toMatchObject({ status: 'delivered' });
    expect(alerts).toEqual([]);
    now = since + 120_000;
    const inDoubt = await channel.findSent(message('obx-never-sent'), since).then(() => null, (e: unknown) => e);
    expect(inDoubt).toBeInstanceOf(ChannelError);
    expect(inDoubt).toMatchObject({ failure: 'permanent', providerCode: NO_STATUS_REPORT });
    expect(alerts).toEqual([NO_STATUS_REPORT]);
    expect(errors).toHaveLength(1);
    expect(fake.sent).toHaveLength(1);
  });
});

describe('aliyun adapter, a busy number', () => {
  it('finds a message among more than one page (50) of the day\'s sends to the number', async () => {
    const fake = await startFakeAliyunSms();
    closers.push(() => fake.close());
    const channel = new AliyunSmsChannel({ ...fake.credentials, signName: '接电助手', endpoint: fake.url, templates: mapOf('aliyun'), timeZone: 'Asia/Shanghai', logger, timeoutMs: 2000 });
    const since = Date.now() - 1000;
    for (let i = 1; i <= 120; i++) await channel.send(message(`obx-busy-${i}`));
    expect(fake.sent).toHaveLength(120);

    for (const id of ['obx-busy-1', 'obx-busy-50', 'obx-busy-51', 'obx-busy-101', 'obx-busy-120']) {
      expect(await channel.findSent(message(id), since)).toMatchObject({ status: 'delivered' });
    }
    expect(await channel.findSent(message('obx-busy-121'), since)).toBeNull();
    const queries = fake.requests.filter((r) => r.action === 'QuerySendDetails');
    expect(queries.every((q) => Number(q.query.PageSize) <= 50)).toBe(true);
    expect(fake.sent).toHaveLength(120);
  });
});
