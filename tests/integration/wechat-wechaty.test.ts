import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError, type OutboundMessage } from '../../channels/channel.ts';
import { WechatyWeChatChannel, createWechatyBot, type IncomingWeChatMessage } from '../../channels/wechat-wechaty.ts';
import { createMockWechat, until, type MockWechat } from '../support/wechaty-mock.ts';
import { recordingLogger } from '../support/logger.ts';


function outbound(to: string, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    outboxId: 'obx_7',
    to,
    text: '您的用电申请 YX2026-0001 已进入“现场勘查”环节。',
    notice: { kind: 'step-started', variables: {} },
    ...overrides,
  };
}

async function sendError(channel: WechatyWeChatChannel, message: OutboundMessage): Promise<ChannelError> {
  const error = await channel.send(message).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe('WechatyWeChatChannel on a mock WeChat', () => {
  let wx: MockWechat;
  let log: ReturnType<typeof recordingLogger>;
  let channel: WechatyWeChatChannel;

  beforeEach(async () => {
    wx = createMockWechat();
    log = recordingLogger();
    channel = new WechatyWeChatChannel(wx.bot, log.logger);
    await channel.start();
    await wx.login();
  });

  afterEach(async () => {
    await channel.stop();
  });

  it('delivers the text to the contact and reports it delivered', async () => {
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    const message = outbound(customer.id);

    const result = await channel.send(message);

    const [received] = await inbox.waitFor(1);
    expect(received).toMatchObject({ from: wx.botUser.id, text: message.text });
    // the mock puppet does not return the sent message's id, so the outbox id stands in
    expect(result).toEqual({ providerId: 'obx_7', status: 'delivered' });
  });

  it('reports an unknown contact as permanent', async () => {
    const error = await sendError(channel, outbound('wxid_nobody_here'));
    expect(error.failure).toBe('permanent');
  });

  it('reports sends while the bot is logged out as temporary, and delivers again after it logs back in', async () => {
    const customer = wx.createContact();
    const inbox = wx.inboxOf(customer);
    await wx.logout();

    expect((await sendError(channel, outbound(customer.id))).failure).toBe('temporary');

    await wx.login();
    await channel.send(outbound(customer.id));
    await inbox.waitFor(1);
  });

  it('logs login and logout through the logger it was given', async () => {
    await wx.logout();
    const messages = log.entries().map((entry) => entry.msg);
    expect(messages).toContain('WeChat bot logged in');
    expect(messages).toContain('WeChat bot logged out; sends fail until it logs in again');
  });

  it("feeds a customer's text to onMessage, but not the bot's own messages", async () => {
    const customer = wx.createContact();
    const received: IncomingWeChatMessage[] = [];
    const unsubscribe = channel.onMessage((message) => {
      received.push(message);
    });

    await channel.send(outbound(customer.id));
    wx.say(customer, '查询进度');
    await until(() => received.length >= 1, 2000, 'the incoming message');

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ contactId: customer.id, text: '查询进度' });
    expect(received[0]!.receivedAt).toBeInstanceOf(Date);

    unsubscribe();
    const later: IncomingWeChatMessage[] = [];
    channel.onMessage((message) => {
      later.push(message);
    });
    wx.say(customer, '催办');
    await until(() => later.length >= 1, 2000, 'the second incoming message');
    expect(received).toHaveLength(1);
  });

  it('keeps serving messages when an onMessage handler throws, logging the failure', async () => {
    const customer = wx.createContact();
    channel.onMessage(() => {
      throw new Error('chat service down');
    });
    wx.say(customer, '你好');
    await until(() => log.entries().some((entry) => entry.msg === 'WeChat message handler failed'), 2000, 'the handler failure log');

    const inbox = wx.inboxOf(customer);
    await channel.send(outbound(customer.id));
    await inbox.waitFor(1);
  });
});

describe('createWechatyBot', () => {
  it('fails at start, naming the package, when the configured puppet is not installed', async () => {
    const bot = createWechatyBot({ puppet: 'wechaty-puppet-not-installed', puppetToken: 'token', name: 'jiedian-test' });
    await expect(bot.start()).rejects.toThrow(/wechaty-puppet-not-installed/);
  });
});
