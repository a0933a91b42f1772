// Configuration from the environment: defaults, and a wrong value named in one clear error.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

const required = { JIEDIAN_SECRET: 's'.repeat(32), SYNC_TOKEN: 't'.repeat(16) };

function problem(env: Record<string, string>): { variable: string; message: string } {
  try {
    loadConfig({ ...required, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return { variable: error.variable, message: error.message };
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('gives the documented defaults when only the secrets are set', () => {
    const config = loadConfig(required);
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      timeZone: 'Asia/Shanghai',
      publicUrl: 'http://localhost:3000',
      smsSignature: '【接电助手】',
      twilio: null,
      wechaty: null,
      wechatOa: null,
      slaSweepIntervalMs: 60_000,
      hurryCooldownHours: 24,
      quietHours: { start: 22 * 60, end: 8 * 60 },
      logLevel: 'info',
    });
    expect(config.databasePath).toMatch(/data\/jiedian\.db$/);
    expect(config.postgres).toBeNull();
  });

  it('runs on PostgreSQL when DATABASE_URL is set, with its pool size and leases', () => {
    const url = 'postgres://jiedian:s3cret@db.example:5432/jiedian';
    expect(loadConfig({ ...required, DATABASE_URL: url }).postgres).toEqual({ url, poolSize: 10, claimLeaseMs: 60_000, leaseRetryMs: 2000 });
    expect(loadConfig({ ...required, DATABASE_URL: url, DATABASE_POOL_SIZE: '25', DELIVERY_CLAIM_LEASE_MS: '5000', LEASE_RETRY_MS: '500' }).postgres).toEqual({
      url,
      poolSize: 25,
      claimLeaseMs: 5000,
      leaseRetryMs: 500,
    });
    expect(loadConfig({ ...required, DATABASE_URL: 'postgresql://db.example/jiedian' }).postgres?.url).toBe('postgresql://db.example/jiedian');
  });

  it('names DATABASE_URL when it is not a PostgreSQL URL, and never echoes its password', () => {
    for (const url of ['mysql://root:s3cret@db.example/jiedian', 'db.example/jiedian', 'postgres://jiedian:s3cret@db.example']) {
      const { variable, message } = problem({ DATABASE_URL: url });
      expect(variable).toBe('DATABASE_URL');
      expect(message).not.toContain('s3cret');
    }
    expect(problem({ DATABASE_URL: 'mysql://db.example/x' }).message).toContain('postgres://');
    expect(problem({ DATABASE_URL: 'postgres://db.example/x', DATABASE_POOL_SIZE: '0' }).variable).toBe('DATABASE_POOL_SIZE');
  });

  it('reads WeCom and SMTP settings, and never echoes an SMTP password in an error', () => {
    const config = loadConfig({
      ...required,
      WECOM_CORP_ID: 'ww0123',
      WECOM_AGENT_ID: '1000002',
      WECOM_SECRET: 'wecom-secret',
      SMTP_URL: 'smtps://jiedian:p4ss@smtp.example.cn:465',
      MAIL_FROM: '接电助手 <noreply@example.cn>',
    });
    expect(config.wecom).toEqual({ corpId: 'ww0123', agentId: 1000002, secret: 'wecom-secret', apiBaseUrl: 'https://qyapi.weixin.qq.com' });
    expect(config.email).toEqual({ smtpUrl: 'smtps://jiedian:p4ss@smtp.example.cn:465', from: '接电助手 <noreply@example.cn>' });
    expect(loadConfig(required)).toMatchObject({ wecom: null, email: null });
    expect(problem({ SMTP_URL: 'smtpx://jiedian:p4ss@smtp.example.cn' }).message).not.toContain('p4ss');
  });

  it('keeps :memory: as it is and allows QUIET_HOURS to be switched off', () => {
    const config = loadConfig({ ...required, DATABASE_PATH: ':memory:', QUIET_HOURS: '' });
    expect(config.databasePath).toBe(':memory:');
    expect(config.quietHours).toBeNull();
  });

  it('reads the Official Account with its documented defaults', () => {
    const config = loadConfig({ ...required, WECHAT_OA_APP_ID: 'wx1', WECHAT_OA_APP_SECRET: 's', WECHAT_OA_TOKEN: 'Token1' });
    expect(config.wechatOa).toEqual({
      appId: 'wx1',
      appSecret: 's',
      token: 'Token1',
      aesKey: null,
      apiBaseUrl: 'https://api.weixin.qq.com',
      oauthBaseUrl: 'https://open.weixin.qq.com',
      messageKind: 'template',
    });
  });

  it.each([
    [{ JIEDIAN_SECRET: '' }, 'JIEDIAN_SECRET', /required/],
    [{ JIEDIAN_SECRET: 'short' }, 'JIEDIAN_SECRET', /at least 32/],
    [{ SYNC_TOKEN: 'short' }, 'SYNC_TOKEN', /at least 16/],
    [{ PORT: 'abc' }, 'PORT', /whole number/],
    [{ PORT: '70000' }, 'PORT', /between 0 and 65535/],
    [{ TIMEZONE: 'Mars/Olympus' }, 'TIMEZONE', /IANA time zone/],
    [{ PUBLIC_URL: 'ftp://example.cn' }, 'PUBLIC_URL', /http\(s\) URL/],
    [{ QUIET_HOURS: '10pm-8am' }, 'QUIET_HOURS', /22:00-08:00/],
    [{ QUIET_HOURS: '25:00-08:00' }, 'QUIET_HOURS', /impossible time/],
    [{ WORKING_HOURS: '17:30-08:30' }, 'WORKING_HOURS', /start before it ends/],
    [{ WORKING_HOURS: '08:00-12:30,12:00-18:00' }, 'WORKING_HOURS', /overlap/],
    [{ WORKING_HOURS: '14:30-18:00,08:00-12:00' }, 'WORKING_HOURS', /in order/],
    [{ TWILIO_ACCOUNT_SID: 'AC1' }, 'TWILIO_AUTH_TOKEN', /required when TWILIO_ACCOUNT_SID/],
    [{ WECHAT_OA_APP_ID: 'wx1' }, 'WECHAT_OA_APP_SECRET', /required when WECHAT_OA_APP_ID/],
    [{ ...{ WECHAT_OA_APP_ID: 'wx1', WECHAT_OA_APP_SECRET: 's', WECHAT_OA_TOKEN: 'Token1' }, WECHAT_OA_TOKEN: 'has spaces' }, 'WECHAT_OA_TOKEN', /3–32 letters or digits/],
    [{ ...{ WECHAT_OA_APP_ID: 'wx1', WECHAT_OA_APP_SECRET: 's', WECHAT_OA_TOKEN: 'Token1' }, WECHAT_OA_AES_KEY: 'short' }, 'WECHAT_OA_AES_KEY', /43-character EncodingAESKey/],
    [{ ...{ WECHAT_OA_APP_ID: 'wx1', WECHAT_OA_APP_SECRET: 's', WECHAT_OA_TOKEN: 'Token1' }, WECHAT_OA_MESSAGE_KIND: 'sms' }, 'WECHAT_OA_MESSAGE_KIND', /one of template, subscribe/],
    [{ ...{ WECHAT_OA_APP_ID: 'wx1', WECHAT_OA_APP_SECRET: 's', WECHAT_OA_TOKEN: 'Token1' }, WECHAT_OA_API_BASE_URL: 'api.weixin.qq.com' }, 'WECHAT_OA_API_BASE_URL', /http\(s\) URL/],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /one of fatal, error, warn, info/],
    [{ SLA_SWEEP_INTERVAL_MS: '10' }, 'SLA_SWEEP_INTERVAL_MS', /between 100 and/],
    [{ WECOM_CORP_ID: 'ww1', WECOM_SECRET: 'x' }, 'WECOM_AGENT_ID', /required when WECOM_CORP_ID and WECOM_SECRET/],
    [{ WECOM_CORP_ID: 'ww1', WECOM_AGENT_ID: 'agent', WECOM_SECRET: 'x' }, 'WECOM_AGENT_ID', /whole number/],
    [{ WECOM_CORP_ID: 'ww1', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'x', WECOM_API_BASE_URL: 'qyapi' }, 'WECOM_API_BASE_URL', /http\(s\) URL/],
    [{ SMTP_URL: 'http://mail.example.cn' }, 'SMTP_URL', /smtp:\/\/ or smtps:\/\//],
    [{ SMTP_URL: 'smtp://mail.example.cn:587' }, 'MAIL_FROM', /required/],
    [{ SMTP_URL: 'smtp://mail.example.cn:587', MAIL_FROM: 'noreply' }, 'MAIL_FROM', /e-mail address/],
    [{ MAIL_FROM: 'noreply@example.cn' }, 'SMTP_URL', /required when MAIL_FROM/],
  ])('%o is refused, naming %s', (env, variable, message) => {
    const found = problem(env);
    expect(found.variable).toBe(variable);
    expect(found.message).toMatch(message);
    expect(found.message.startsWith(variable)).toBe(true);
  });
});
