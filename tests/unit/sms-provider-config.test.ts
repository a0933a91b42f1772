// SMS_PROVIDER and the Mainland SMS settings: each missing or wrong one named in one line at start; a missing or
// broken template map for the selected provider is one line too, and stops start-up like a configuration error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannels } from '../../channels/index.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { startupFailure } from '../../server/main.ts';

const required = { JIEDIAN_SECRET: 's'.repeat(32), SYNC_TOKEN: 't'.repeat(16) };
const token = { SMS_CALLBACK_TOKEN: 'c'.repeat(16) };
const aliyunEnv = { SMS_PROVIDER: 'aliyun', ALIYUN_ACCESS_KEY_ID: 'LTAI5t0123', ALIYUN_ACCESS_KEY_SECRET: 'secret-0123', ALIYUN_SMS_SIGN_NAME: '接电助手', ...token };
const tencentEnv = { SMS_PROVIDER: 'tencent', TENCENT_SECRET_ID: 'AKID0123', TENCENT_SECRET_KEY: 'key-0123', TENCENT_SMS_SDK_APP_ID: '1400000001', TENCENT_SMS_SIGN_NAME: '接电助手', ...token };
const twilioEnv = { TWILIO_ACCOUNT_SID: 'AC0123', TWILIO_AUTH_TOKEN: 'auth-0123', TWILIO_FROM: '+15005550006' };

function problem(env: Record<string, string>): { variable: string; message: string } {
  try {
    loadConfig({ ...required, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return { variable: error.variable, message: error.message };
    throw error;
  }
  throw new Error('expected a configuration error');
}

const without = (env: Record<string, string>, name: string) => Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));

describe('SMS_PROVIDER', () => {
  it('refuses a provider it does not know, naming the variable and the choices', () => {
    expect(problem({ SMS_PROVIDER: 'yunpian' })).toMatchObject({ variable: 'SMS_PROVIDER', message: expect.stringMatching(/twilio.*aliyun.*tencent.*log/) });
  });

  it.each(['ALIYUN_ACCESS_KEY_ID', 'ALIYUN_ACCESS_KEY_SECRET', 'ALIYUN_SMS_SIGN_NAME', 'SMS_CALLBACK_TOKEN'])('names %s when it is missing with SMS_PROVIDER=aliyun', (name) => {
    expect(problem(without(aliyunEnv, name))).toMatchObject({ variable: name, message: expect.stringContaining('SMS_PROVIDER=aliyun') });
  });

  it.each(['TENCENT_SECRET_ID', 'TENCENT_SECRET_KEY', 'TENCENT_SMS_SDK_APP_ID', 'TENCENT_SMS_SIGN_NAME', 'SMS_CALLBACK_TOKEN'])('names %s when it is missing with SMS_PROVIDER=tencent', (name) => {
    expect(problem(without(tencentEnv, name))).toMatchObject({ variable: name, message: expect.stringContaining('SMS_PROVIDER=tencent') });
  });

  it('reads both providers complete, with their defaults', () => {
    expect(loadConfig({ ...required, ...aliyunEnv })).toMatchObject({
      smsProvider: 'aliyun',
      aliyunSms: { accessKeyId: 'LTAI5t0123', signName: '接电助手', endpoint: 'https://dysmsapi.aliyuncs.com' },
      tencentSms: null,
      smsLimits: { verification: [{ max: 1, windowMs: 60_000 }, { max: 5, windowMs: 3_600_000 }, { max: 10, windowMs: 86_400_000 }], templatePerDay: 50, sameContentMs: 0 },
    });
    expect(loadConfig({ ...required, ...tencentEnv })).toMatchObject({
      smsProvider: 'tencent',
      tencentSms: { sdkAppId: '1400000001', region: 'ap-guangzhou', reportWaitMs: 600_000, endpoint: 'https://sms.tencentcloudapi.com' },
      aliyunSms: null,
      smsLimits: { templatePerDay: 0, sameContentMs: 30_000 },
    });
    expect(problem({ ...tencentEnv, TENCENT_SMS_SDK_APP_ID: 'app-1' })).toMatchObject({ variable: 'TENCENT_SMS_SDK_APP_ID' });
  });

  it('sends through the log when SMS_PROVIDER=log, even with Twilio credentials set; Twilio without SMS_PROVIDER as before', () => {
    expect(loadConfig({ ...required, ...twilioEnv, SMS_PROVIDER: 'log' })).toMatchObject({ smsProvider: 'log', twilio: null, aliyunSms: null, tencentSms: null, smsLimits: null });
    expect(loadConfig({ ...required, ...twilioEnv })).toMatchObject({ smsProvider: 'twilio', twilio: { accountSid: 'AC0123' } });
    expect(problem({ SMS_PROVIDER: 'twilio' })).toMatchObject({ variable: 'TWILIO_ACCOUNT_SID' });
  });

  it('refuses an SMS_CALLBACK_TOKEN shorter than 16 characters', () => {
    expect(problem({ ...aliyunEnv, SMS_CALLBACK_TOKEN: 'short-token' })).toMatchObject({ variable: 'SMS_CALLBACK_TOKEN', message: expect.stringContaining('at least 16') });
  });

  it('reads addresses and CIDR ranges in SMS_CALLBACK_ALLOWED_SOURCES and SMS_CALLBACK_TRUSTED_PROXIES, and refuses anything else', () => {
    const config = loadConfig({ ...required, ...aliyunEnv, SMS_CALLBACK_ALLOWED_SOURCES: '203.0.113.7, 100.104.0.0/16,2001:db8::/32', SMS_CALLBACK_TRUSTED_PROXIES: '127.0.0.1' });
    expect(config.smsCallbacks).toMatchObject({
      allowedSources: [{ address: '203.0.113.7', prefix: 32 }, { address: '100.104.0.0', prefix: 16 }, { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
      trustedProxies: [{ address: '127.0.0.1', prefix: 32 }],
    });
    expect(loadConfig({ ...required, ...aliyunEnv }).smsCallbacks).toMatchObject({ allowedSources: null, trustedProxies: [] });
    for (const bad of ['aliyun.com', '10.0.0.0/33', '10.0.0.1/', '10.0.0.0/8/1', '::1/129']) {
      expect(problem({ ...aliyunEnv, SMS_CALLBACK_ALLOWED_SOURCES: `203.0.113.7,${bad}` })).toMatchObject({ variable: 'SMS_CALLBACK_ALLOWED_SOURCES', message: expect.stringContaining(bad) });
    }
    expect(problem({ ...aliyunEnv, SMS_CALLBACK_TRUSTED_PROXIES: 'nginx' })).toMatchObject({ variable: 'SMS_CALLBACK_TRUSTED_PROXIES' });
  });

  it('reads SMS_LIMIT_* (0 turns one off) and refuses a malformed one', () => {
    expect(loadConfig({ ...required, ...aliyunEnv, SMS_LIMIT_VERIFICATION: '2/60, 20/86400', SMS_LIMIT_TEMPLATE_PER_DAY: '0', SMS_LIMIT_SAME_CONTENT_SECONDS: '45' }).smsLimits).toEqual({
      verification: [{ max: 2, windowMs: 60_000 }, { max: 20, windowMs: 86_400_000 }],
      templatePerDay: 0,
      sameContentMs: 45_000,
    });
    expect(loadConfig({ ...required, ...tencentEnv, SMS_LIMIT_VERIFICATION: '0' }).smsLimits!.verification).toEqual([]);
    for (const bad of ['1/60,5', 'one/60', '0/60', '1/0']) expect(problem({ ...aliyunEnv, SMS_LIMIT_VERIFICATION: bad })).toMatchObject({ variable: 'SMS_LIMIT_VERIFICATION' });
    expect(problem({ ...aliyunEnv, SMS_LIMIT_TEMPLATE_PER_DAY: 'many' })).toMatchObject({ variable: 'SMS_LIMIT_TEMPLATE_PER_DAY' });
    expect(problem({ ...tencentEnv, SMS_LIMIT_SAME_CONTENT_SECONDS: '-1' })).toMatchObject({ variable: 'SMS_LIMIT_SAME_CONTENT_SECONDS' });
  });
});

describe('start-up with a missing or broken template map for the selected provider', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const logger = { info: () => {}, warn: () => {}, error: () => {} };
  const startWith = (env: Record<string, string>, files: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-templates-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    try {
      createChannels({ config: loadConfig({ ...required, ...env }), logger, templatesDir: dir });
    } catch (error) {
      return startupFailure(error);
    }
    throw new Error('expected start-up to fail');
  };

  it.each([
    ['aliyun', aliyunEnv],
    ['tencent', tencentEnv],
  ] as const)('%s: a missing map stops start-up with one line naming the file (exit 2)', (provider, env) => {
    const failure = startWith(env, {});
    expect(failure).toMatchObject({ exitCode: 2, line: expect.stringMatching(new RegExp(`^jiedian: template SMS map error: .*sms-${provider}\\.json: `)) });
    expect(failure!.line).not.toContain('\n');
  });

  it('a broken map stops start-up with one line naming every problem (exit 2)', () => {
    const broken = startWith(aliyunEnv, { 'sms-aliyun.json': '{ "templates": ' });
    expect(broken).toMatchObject({ exitCode: 2, line: expect.stringContaining('sms-aliyun.json') });
    expect(broken!.line).not.toContain('\n');
    const incomplete = startWith(aliyunEnv, { 'sms-aliyun.json': JSON.stringify({ provider: 'aliyun', notices: {}, replies: {} }) });
    expect(incomplete).toMatchObject({ exitCode: 2, line: expect.stringContaining('sms-aliyun.json') });
    expect(incomplete!.line).not.toContain('\n');
  });

  it('leaves a bug (not an operator\'s mistake) to throw with its stack', () => {
    expect(startupFailure(new TypeError('x is undefined'))).toBeNull();
  });
});
