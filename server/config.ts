// Environment → typed, validated configuration. The only module that reads process.env.
import path from 'node:path';
import { parseWorkingPeriods, type WorkingPeriod } from './domain/working-time.ts';
import type { SmsLimits } from './domain/sms-limits.ts';
import { parseIpRange, type IpRange } from './ip-ranges.ts';

export interface QuietHours {
  /** minutes after local midnight */
  start: number;
  end: number;
}

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  /** DATABASE_URL: PostgreSQL instead of the SQLite file; null: SQLite at databasePath */
  postgres: { url: string; poolSize: number; claimLeaseMs: number; leaseRetryMs: number } | null;
  timeZone: string;
  syncToken: string;
  secret: string;
  publicUrl: string;
  /** bearer token for GET /metrics from other hosts; null: loopback callers only */
  metricsToken: string | null;
  /** the business-hall kiosks' device key (X-Jiedian-Kiosk-Key): exempts them from an account's guess ceiling */
  kioskDeviceKey: string | null;
  smsSignature: string;
  twilio: { accountSid: string; authToken: string; from: string; apiBaseUrl: string | null } | null;
  /** which provider sends SMS (SMS_PROVIDER); `log` when nothing is configured */
  smsProvider: SmsProvider;
  /** SMS_PROVIDER=aliyun: Aliyun dysmsapi */
  aliyunSms: { accessKeyId: string; accessKeySecret: string; signName: string; endpoint: string } | null;
  /** SMS_PROVIDER=tencent: Tencent Cloud SMS */
  tencentSms: {
    secretId: string;
    secretKey: string;
    sdkAppId: string;
    signName: string;
    endpoint: string;
    region: string;
    /** how long a send in doubt waits for its status report before it is taken as not sent (TENCENT_SMS_REPORT_WAIT_MS) */
    reportWaitMs: number;
  } | null;
  /** the mainland providers' callback routes: the `token` query parameter they must carry, and the sources allowed */
  /**
   * `allowedSources`: the addresses and ranges callbacks may come from (SMS_CALLBACK_ALLOWED_SOURCES), null: any;
   * `trustedProxies`: reverse proxies in front of the server whose X-Forwarded-For names the source
   * (SMS_CALLBACK_TRUSTED_PROXIES)
   */
  smsCallbacks: { token: string | null; allowedSources: IpRange[] | null; trustedProxies: IpRange[] };
  /** Aliyun/Tencent: the carrier's per-number limits checked before an SMS goes out (SMS_LIMIT_*); null otherwise */
  smsLimits: SmsLimits | null;
  /** Aliyun/Tencent: how long one API call may take before it counts as unanswered (and the send as in doubt) */
  smsRequestTimeoutMs: number;
  wechaty: { puppet: string; puppetToken: string | null } | null;
  /** the WeChat Official Account (服务号): callbacks, template/subscription notices, web authorization */
  wechatOa: WechatOaConfig | null;
  /** WeCom (企业微信) application messages to staff; null: they go to the log */
  wecom: { corpId: string; agentId: number; secret: string; apiBaseUrl: string } | null;
  /** e-mail over SMTP; null: e-mails go to the log */
  email: { smtpUrl: string; from: string } | null;
  slaSweepIntervalMs: number;
  /** how long a stopping instance waits for requests in flight before it ends their connections */
  shutdownGraceMs: number;
  hurryCooldownHours: number;
  catalogPath: string;
  calendarPath: string;
  /** the curated knowledge base (服务征询知识库) loaded into the DB at start */
  knowledgeBasePath: string;
  /** the complaint-risk rules and tiers, and the monthly report's bounds */
  riskRulesPath: string;
  quietHours: QuietHours | null;
  /** when handlers are texted and hurry escalation time runs */
  /** WORKING_HOURS: the working periods of a workday; seasonal hours come from the calendar file */
  workingHours: WorkingPeriod[];
  /** provider send rates: SMS segments per second, WeChat messages per second */
  sendRates: { sms: number; wechat: number; wechat_oa: number };
  dispatchConcurrency: number;
  /** facts older than this when they arrive update the mirror but text the customer at most the current state */
  lateEventHorizonHours: number;
  /** a separate plan_changed text only when the expected date moves later by at least this many workdays */
  planChangeMinWorkdays: number;
  logLevel: string;
}

export const wechatOaMessageKinds = ['template', 'subscribe'] as const;

export interface WechatOaConfig {
  appId: string;
  appSecret: string;
  /** the callback's signature token (服务器配置 → Token) */
  token: string;
  /** safe mode's EncodingAESKey (43 characters); null: plain mode only */
  aesKey: string | null;
  /** https://api.weixin.qq.com, or a local fake */
  apiBaseUrl: string;
  /** where web authorization (OAuth snsapi_base) starts: https://open.weixin.qq.com, or a local fake */
  oauthBaseUrl: string;
  /** step notices as template messages (/cgi-bin/message/template/send) or subscription notices (subscribe/bizsend) */
  messageKind: (typeof wechatOaMessageKinds)[number];
}

export const smsProviders = ['twilio', 'aliyun', 'tencent', 'log'] as const;
export type SmsProvider = (typeof smsProviders)[number];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const projectRoot = path.resolve(import.meta.dirname, '..');

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function postgres(env: Env): Config['postgres'] {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL such as postgres://jiedian:secret@db.example:5432/jiedian');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must be a postgres:// URL, got one with ${parsed.protocol.replace(/:$/, '')}://`);
  }
  if (parsed.pathname.length <= 1) throw new ConfigError('DATABASE_URL', 'must name the database, e.g. postgres://jiedian@db.example/jiedian');
  return {
    url: raw,
    poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    claimLeaseMs: integer(env, 'DELIVERY_CLAIM_LEASE_MS', 60_000, 1000, 3_600_000),
    leaseRetryMs: integer(env, 'LEASE_RETRY_MS', 2000, 100, 600_000),
  };
}

function timeZone(env: Env): string {
  const zone = text(env, 'TIMEZONE', 'Asia/Shanghai');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError('TIMEZONE', `must be an IANA time zone such as Asia/Shanghai, got "${zone}"`);
  }
  return zone;
}

function url(env: Env, name: string, fallback: string | null): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function parseWindow(variable: string, raw: string, example: string): QuietHours {
  const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(raw.trim());
  if (!match) throw new ConfigError(variable, `must look like ${example}, got "${raw}"`);
  const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) throw new ConfigError(variable, `has an impossible time in "${raw}"`);
  return { start: h1 * 60 + m1, end: h2 * 60 + m2 };
}

export function parseQuietHours(raw: string): QuietHours | null {
  return raw.trim() === '' ? null : parseWindow('QUIET_HOURS', raw, '22:00-08:00 or be empty');
}

function workingHours(env: Env): WorkingPeriod[] {
  try {
    return parseWorkingPeriods(text(env, 'WORKING_HOURS', '08:30-17:30'));
  } catch (error) {
    throw new ConfigError('WORKING_HOURS', (error as Error).message);
  }
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = text(env, name, fallback);
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/**
 * For commands that need only some settings: every one of `settings` that is not set, named in one error, so a
 * user fixes them all at once instead of one per run.
 */
export function requireSettings(env: Env, settings: Record<string, string>): void {
  const missing = Object.keys(settings).filter((name) => env[name] === undefined || env[name] === '');
  if (missing.length === 0) return;
  const list = missing.map((name) => `${name} (${settings[name]})`).join('; ');
  throw new ConfigError(missing.join(', '), `${missing.length === 1 ? 'is' : 'are'} required: ${list}`);
}

function required(env: Env, name: string, hint: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigError(name, `is required (${hint})`);
  return value;
}

/** Credentials that only work together: true when all are set, false when none is; some but not all is an error. */
function allOrNone(env: Env, names: readonly string[]): boolean {
  const present = names.filter((n) => env[n]);
  if (present.length === 0) return false;
  const missing = names.find((n) => !env[n]);
  if (missing) throw new ConfigError(missing, `is required when ${present.join(' and ')} is set`);
  return true;
}

function twilio(env: Env): Config['twilio'] {
  if (!allOrNone(env, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'])) return null;
  return {
    accountSid: env.TWILIO_ACCOUNT_SID!,
    authToken: env.TWILIO_AUTH_TOKEN!,
    from: env.TWILIO_FROM!,
    apiBaseUrl: url(env, 'TWILIO_API_BASE_URL', null),
  };
}

function optionalSecret(env: Env, name: string): string | null {
  const token = env[name];
  if (token === undefined || token === '') return null;
  if (token.length < 16) throw new ConfigError(name, `must be at least 16 characters, got ${token.length}`);
  return token;
}

function wecom(env: Env): Config['wecom'] {
  if (!allOrNone(env, ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET'])) return null;
  return {
    corpId: env.WECOM_CORP_ID!,
    agentId: integer(env, 'WECOM_AGENT_ID', 0, 1, 2 ** 31 - 1),
    secret: env.WECOM_SECRET!,
    apiBaseUrl: url(env, 'WECOM_API_BASE_URL', 'https://qyapi.weixin.qq.com')!,
  };
}

function email(env: Env): Config['email'] {
  const smtpUrl = env.SMTP_URL;
  if (!smtpUrl) {
    if (env.MAIL_FROM) throw new ConfigError('SMTP_URL', 'is required when MAIL_FROM is set');
    return null;
  }
  let protocol: string;
  try {
    protocol = new URL(smtpUrl).protocol;
  } catch {
    protocol = '';
  }
  // the value may hold a password: never echoed back
  if (protocol !== 'smtp:' && protocol !== 'smtps:') throw new ConfigError('SMTP_URL', 'must be an smtp:// or smtps:// URL');
  const from = required(env, 'MAIL_FROM', 'the sender address when SMTP_URL is set, e.g. "接电助手 <noreply@example.cn>"');
  if (!/^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(from.trim())) {
    throw new ConfigError('MAIL_FROM', `must be an e-mail address, optionally with a name ("接电助手 <noreply@example.cn>"), got "${from}"`);
  }
  return { smtpUrl, from: from.trim() };
}

function wechatOa(env: Env): Config['wechatOa'] {
  const names = ['WECHAT_OA_APP_ID', 'WECHAT_OA_APP_SECRET', 'WECHAT_OA_TOKEN'] as const;
  const present = names.filter((n) => env[n]);
  if (present.length === 0) return null;
  const missing = names.find((n) => !env[n]);
  if (missing) throw new ConfigError(missing, `is required when ${present.join(' and ')} is set`);
  const token = env.WECHAT_OA_TOKEN!;
  if (!/^[A-Za-z0-9]{3,32}$/.test(token)) throw new ConfigError('WECHAT_OA_TOKEN', 'must be 3–32 letters or digits (as the Official Account platform allows)');
  const aesKey = env.WECHAT_OA_AES_KEY || null;
  if (aesKey !== null && !/^[A-Za-z0-9+/]{43}$/.test(aesKey)) {
    throw new ConfigError('WECHAT_OA_AES_KEY', `must be the 43-character EncodingAESKey, got ${aesKey.length} characters`);
  }
  return {
    appId: env.WECHAT_OA_APP_ID!,
    appSecret: env.WECHAT_OA_APP_SECRET!,
    token,
    aesKey,
    apiBaseUrl: url(env, 'WECHAT_OA_API_BASE_URL', 'https://api.weixin.qq.com')!,
    oauthBaseUrl: url(env, 'WECHAT_OA_OAUTH_BASE_URL', 'https://open.weixin.qq.com')!,
    messageKind: oneOf(env, 'WECHAT_OA_MESSAGE_KIND', 'template', wechatOaMessageKinds),
  };
}

function mainlandSms(env: Env, provider: SmsProvider, names: readonly string[]): void {
  const missing = names.find((n) => !env[n]);
  if (missing) throw new ConfigError(missing, `is required when SMS_PROVIDER=${provider} (${names.join(', ')})`);
}

/** SMS_PROVIDER when given; else twilio when its credentials are there, else log (the previous behaviour). */
function smsProvider(env: Env): SmsProvider {
  if (env.SMS_PROVIDER) return oneOf(env, 'SMS_PROVIDER', 'log', smsProviders);
  return env.TWILIO_ACCOUNT_SID || env.TWILIO_AUTH_TOKEN || env.TWILIO_FROM ? 'twilio' : 'log';
}

function aliyunSms(env: Env, provider: SmsProvider): Config['aliyunSms'] {
  if (provider !== 'aliyun') return null;
  mainlandSms(env, provider, ['ALIYUN_ACCESS_KEY_ID', 'ALIYUN_ACCESS_KEY_SECRET', 'ALIYUN_SMS_SIGN_NAME', 'SMS_CALLBACK_TOKEN']);
  return {
    accessKeyId: env.ALIYUN_ACCESS_KEY_ID!,
    accessKeySecret: env.ALIYUN_ACCESS_KEY_SECRET!,
    signName: env.ALIYUN_SMS_SIGN_NAME!,
    endpoint: url(env, 'ALIYUN_SMS_ENDPOINT', 'https://dysmsapi.aliyuncs.com')!,
  };
}

function tencentSms(env: Env, provider: SmsProvider): Config['tencentSms'] {
  if (provider !== 'tencent') return null;
  mainlandSms(env, provider, ['TENCENT_SECRET_ID', 'TENCENT_SECRET_KEY', 'TENCENT_SMS_SDK_APP_ID', 'TENCENT_SMS_SIGN_NAME', 'SMS_CALLBACK_TOKEN']);
  if (!/^\d+$/.test(env.TENCENT_SMS_SDK_APP_ID!)) throw new ConfigError('TENCENT_SMS_SDK_APP_ID', `must be the SDK AppID's digits, got "${env.TENCENT_SMS_SDK_APP_ID}"`);
  return {
    secretId: env.TENCENT_SECRET_ID!,
    secretKey: env.TENCENT_SECRET_KEY!,
    sdkAppId: env.TENCENT_SMS_SDK_APP_ID!,
    signName: env.TENCENT_SMS_SIGN_NAME!,
    endpoint: url(env, 'TENCENT_SMS_ENDPOINT', 'https://sms.tencentcloudapi.com')!,
    region: text(env, 'TENCENT_SMS_REGION', 'ap-guangzhou'),
    reportWaitMs: integer(env, 'TENCENT_SMS_REPORT_WAIT_MS', 600_000, 0, 86_400_000),
  };
}

function smsCallbacks(env: Env): Config['smsCallbacks'] {
  const token = env.SMS_CALLBACK_TOKEN || null;
  if (token !== null && token.length < 16) throw new ConfigError('SMS_CALLBACK_TOKEN', `must be at least 16 characters, got ${token.length}`);
  const allowed = ipRanges(env, 'SMS_CALLBACK_ALLOWED_SOURCES');
  return { token, allowedSources: allowed.length > 0 ? allowed : null, trustedProxies: ipRanges(env, 'SMS_CALLBACK_TRUSTED_PROXIES') };
}

/** A comma-separated list of IP addresses and CIDR ranges; empty when unset. */
function ipRanges(env: Env, name: string): IpRange[] {
  const parts = (env[name] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return parts.map((part) => {
    const range = parseIpRange(part);
    if (!range) throw new ConfigError(name, `must be a comma-separated list of IP addresses or CIDR ranges (10.0.0.0/8), got "${part}"`);
    return range;
  });
}

/** `1/60,5/3600,10/86400`: at most 1 in 60 s, 5 in an hour, 10 in a day. */
function limitList(env: Env, name: string, fallback: string): SmsLimits['verification'] {
  const raw = text(env, name, fallback).trim();
  if (raw === '0') return [];
  return raw.split(',').map((part) => {
    const match = /^(\d+)\/(\d+)$/.exec(part.trim());
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new ConfigError(name, `must look like 1/60,5/3600,10/86400 (count/seconds) or be 0, got "${raw}"`);
    return { max: Number(match[1]), windowMs: Number(match[2]) * 1000 };
  });
}

function smsLimits(env: Env, provider: SmsProvider): SmsLimits {
  // Carrier defaults of the provider: Aliyun caps a template to one number at 50 a day, Tencent the same text at
  // one per 30 s; both (and so we, whatever the provider) cap verification texts at 1 a minute, 5 an hour, 10 a day.
  return {
    verification: limitList(env, 'SMS_LIMIT_VERIFICATION', '1/60,5/3600,10/86400'),
    templatePerDay: integer(env, 'SMS_LIMIT_TEMPLATE_PER_DAY', provider === 'aliyun' ? 50 : 0, 0, 100_000),
    sameContentMs: integer(env, 'SMS_LIMIT_SAME_CONTENT_SECONDS', provider === 'tencent' ? 30 : 0, 0, 86_400) * 1000,
  };
}

export function loadConfig(env: Env = process.env): Config {
  const secret = required(env, 'JIEDIAN_SECRET', 'at least 32 characters; `npm run demo` generates one');
  if (secret.length < 32) throw new ConfigError('JIEDIAN_SECRET', `must be at least 32 characters, got ${secret.length}`);
  const syncToken = required(env, 'SYNC_TOKEN', 'the bearer token of the sync API');
  if (syncToken.length < 16) throw new ConfigError('SYNC_TOKEN', `must be at least 16 characters, got ${syncToken.length}`);
  const databasePath = text(env, 'DATABASE_PATH', 'data/jiedian.db');
  const puppet = env.WECHATY_PUPPET;
  const sms = smsProvider(env);
  if (sms === 'twilio' && !env.TWILIO_ACCOUNT_SID) throw new ConfigError('TWILIO_ACCOUNT_SID', 'is required when SMS_PROVIDER=twilio');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: text(env, 'HOST', '127.0.0.1'),
    databasePath: databasePath === ':memory:' ? databasePath : path.resolve(databasePath),
    postgres: postgres(env),
    timeZone: timeZone(env),
    syncToken,
    secret,
    publicUrl: url(env, 'PUBLIC_URL', 'http://localhost:3000')!,
    metricsToken: optionalSecret(env, 'METRICS_TOKEN'),
    kioskDeviceKey: optionalSecret(env, 'KIOSK_DEVICE_KEY'),
    smsSignature: text(env, 'SMS_SIGNATURE', '【接电助手】'),
    twilio: sms === 'twilio' || !env.SMS_PROVIDER ? twilio(env) : null,
    smsProvider: sms,
    aliyunSms: aliyunSms(env, sms),
    tencentSms: tencentSms(env, sms),
    smsCallbacks: smsCallbacks(env),
    smsLimits: sms === 'aliyun' || sms === 'tencent' ? smsLimits(env, sms) : null,
    smsRequestTimeoutMs: integer(env, 'SMS_REQUEST_TIMEOUT_MS', 15_000, 100, 120_000),
    wechaty: puppet ? { puppet, puppetToken: env.WECHATY_PUPPET_SERVICE_TOKEN || null } : null,
    wechatOa: wechatOa(env),
    wecom: wecom(env),
    email: email(env),
    slaSweepIntervalMs: integer(env, 'SLA_SWEEP_INTERVAL_MS', 60_000, 100, 86_400_000),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    hurryCooldownHours: integer(env, 'HURRY_COOLDOWN_HOURS', 24, 0, 24 * 365),
    catalogPath: path.resolve(text(env, 'CATALOG_PATH', path.join(projectRoot, 'catalog/processes.json'))),
    calendarPath: path.resolve(text(env, 'CALENDAR_PATH', path.join(projectRoot, 'catalog/calendar.json'))),
    knowledgeBasePath: path.resolve(text(env, 'KNOWLEDGE_BASE_PATH', path.join(projectRoot, 'catalog/knowledge-base.json'))),
    riskRulesPath: path.resolve(text(env, 'RISK_RULES_PATH', path.join(projectRoot, 'catalog/risk-rules.json'))),
    quietHours: parseQuietHours(env.QUIET_HOURS ?? '22:00-08:00'),
    workingHours: workingHours(env),
    sendRates: {
      sms: integer(env, 'SMS_SEGMENTS_PER_SECOND', 1, 1, 100_000),
      wechat: integer(env, 'WECHAT_MESSAGES_PER_SECOND', 2, 1, 100_000),
      wechat_oa: integer(env, 'WECHAT_OA_MESSAGES_PER_SECOND', 50, 1, 100_000),
    },
    dispatchConcurrency: integer(env, 'DISPATCH_CONCURRENCY', 16, 1, 1000),
    lateEventHorizonHours: integer(env, 'LATE_EVENT_HORIZON_HOURS', 24, 1, 24 * 366),
    planChangeMinWorkdays: integer(env, 'PLAN_CHANGE_MIN_WORKDAYS', 3, 1, 250),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', logLevels),
  };
}
