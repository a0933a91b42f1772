import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannels } from '../../channels/index.ts';
import { loadConfig } from '../../server/config.ts';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.ts';
import { createMockWechat, type MockWechat } from '../support/wechaty-mock.ts';
import { recordingLogger } from '../support/logger.ts';


const baseEnv = {
  JIEDIAN_SECRET: 'x'.repeat(32),
  SYNC_TOKEN: 'sync-token-0123456789',
  DATABASE_PATH: ':memory:',
  PUBLIC_URL: 'https://jiedian.example.cn',
};

const message = {
  outboxId: 'obx_1',
  to: '13800001111',
  text: '您的用电申请已受理',
  notice: { kind: 'application-accepted', variables: {} },
};

describe('createChannels', () => {
  let twilio: FakeTwilio | null = null;
  let wx: MockWechat | null = null;

  afterEach(async () => {
    await twilio?.close();
    await wx?.bot.stop();
    twilio = null;
    wx = null;
  });

  it('without credentials sends every channel to the log and says so at start-up', async () => {
    const { logger, entries } = recordingLogger();
    const { channels, wechat, announce, fallbacks } = createChannels({ config: loadConfig(baseEnv), logger });

    expect(channels.sms.provider).toBe('log');
    expect(channels.wechat.provider).toBe('log');
    expect(wechat).toBeNull();
    expect(announce).toEqual([
      'SMS channel: log (no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN/TWILIO_FROM; messages are written to the log)',
      'WeChat channel: log (no WECHATY_PUPPET; messages are written to the log)',
      'WeChat Official Account channel: log (no WECHAT_OA_APP_ID/WECHAT_OA_APP_SECRET/WECHAT_OA_TOKEN; messages are written to the log)',
      'WeCom channel: log (no WECOM_CORP_ID/WECOM_AGENT_ID/WECOM_SECRET; messages are written to the log)',
      'E-mail channel: log (no SMTP_URL; messages are written to the log)',
    ]);
    expect(fallbacks).toEqual(['sms', 'wechat', 'wechat_oa', 'wecom', 'email']);
    expect(channels.wechat_oa.provider).toBe('log');
    expect(channels.wecom.provider).toBe('log');
    expect(channels.email.provider).toBe('log');

    await expect(channels.sms.send(message)).resolves.toEqual({ providerId: 'log-obx_1', status: 'delivered' });
    expect(entries()).toHaveLength(1);
  });

  it('with Twilio credentials sends SMS through Twilio, with delivery statuses to PUBLIC_URL', async () => {
    twilio = await startFakeTwilio();
    const config = loadConfig({
      ...baseEnv,
      TWILIO_ACCOUNT_SID: twilio.credentials.accountSid,
      TWILIO_AUTH_TOKEN: twilio.credentials.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_BASE_URL: twilio.url,
    });
    const { channels, announce, fallbacks } = createChannels({ config, logger: recordingLogger().logger });

    expect(channels.sms.provider).toBe('twilio');
    expect(fallbacks).toEqual(['wechat', 'wechat_oa', 'wecom', 'email']);
    expect(announce[0]).toMatch(/^SMS channel: twilio \(from \+15005550006 via http:\/\/127\.0\.0\.1:\d+;/);

    await channels.sms.send(message);
    expect(twilio.requests[0]?.statusCallback).toBe('https://jiedian.example.cn/webhooks/twilio/status');
  });

  it('with WeCom and SMTP settings sends through them, and names the SMTP host without its password', () => {
    const config = loadConfig({
      ...baseEnv,
      WECOM_CORP_ID: 'ww0123',
      WECOM_AGENT_ID: '1000002',
      WECOM_SECRET: 'wecom-secret-value',
      SMTP_URL: 'smtps://jiedian:smtp-p4ssword@smtp.example.cn:465',
      MAIL_FROM: '接电助手 <noreply@example.cn>',
    });
    const { channels, announce, fallbacks } = createChannels({ config, logger: recordingLogger().logger });
    expect(channels.wecom.provider).toBe('wecom');
    expect(channels.email.provider).toBe('smtp');
    expect(fallbacks).toEqual(['sms', 'wechat', 'wechat_oa']);
    expect(announce.slice(3)).toEqual([
      'WeCom channel: wecom (corp ww0123, agent 1000002 via https://qyapi.weixin.qq.com)',
      'E-mail channel: smtp (from 接电助手 <noreply@example.cn> via smtp.example.cn:465)',
    ]);
    expect(announce.join('\n')).not.toMatch(/smtp-p4ssword|wecom-secret-value/);
  });

  it('with WECHATY_PUPPET builds a Wechaty channel for that puppet', () => {
    const config = loadConfig({ ...baseEnv, WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_SERVICE_TOKEN: 'puppet-token' });
    const { channels, wechat, announce } = createChannels({ config, logger: recordingLogger().logger });

    expect(channels.wechat.provider).toBe('wechaty');
    expect(wechat).toBe(channels.wechat);
    expect(announce[1]).toBe(
      'WeChat channel: wechaty (puppet wechaty-puppet-service with WECHATY_PUPPET_SERVICE_TOKEN; starts with the server)',
    );
    expect(announce.join('\n')).not.toContain('puppet-token');
  });

  it('with WECHAT_OA_APP_ID, WECHAT_OA_APP_SECRET and WECHAT_OA_TOKEN sends Official Account notices through its API', () => {
    const config = loadConfig({
      ...baseEnv,
      WECHAT_OA_APP_ID: 'wx0123456789abcdef',
      WECHAT_OA_APP_SECRET: 'oa-secret-value',
      WECHAT_OA_TOKEN: 'CallbackToken1',
      WECHAT_OA_API_BASE_URL: 'http://127.0.0.1:9',
    });
    const tokens = { accessToken: async () => null, saveAccessToken: async () => {} };
    const { channels, wechatOa, announce, fallbacks } = createChannels({
      config,
      logger: recordingLogger().logger,
      wechatOa: { tokens, now: () => 0, templateMapPath: path.resolve(import.meta.dirname, '../../templates/wechat-oa.json') },
    });

    expect(channels.wechat_oa.provider).toBe('wechat-oa');
    expect(wechatOa).not.toBeNull();
    expect(fallbacks).toEqual(['sms', 'wechat', 'wecom', 'email']);
    expect(announce[2]).toBe(
      'WeChat Official Account channel: template messages via http://127.0.0.1:9 (AppID wx0123456789abcdef; callbacks at https://jiedian.example.cn/webhooks/wechat-oa in plain mode)',
    );
    expect(announce.join('\n')).not.toContain('oa-secret-value');
    expect(announce.join('\n')).not.toContain('CallbackToken1');
  });

  it('uses an injected bot for WeChat, even without WECHATY_PUPPET', async () => {
    wx = createMockWechat();
    const { channels, wechat } = createChannels({ config: loadConfig(baseEnv), logger: recordingLogger().logger, wechaty: wx.bot });

    expect(wechat?.bot).toBe(wx.bot);
    await channels.wechat.start?.();
    await wx.login();
    const customer = wx.createContact();
    const inbox = wx.inboxOf(customer);
    await channels.wechat.send({ ...message, to: customer.id });
    await inbox.waitFor(1);
  });
});
