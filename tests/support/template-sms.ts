// The app wired to a fake Aliyun or Tencent Cloud SMS API, and each provider's callbacks as it would post them:
// one harness per provider so the same scenarios run through both.
import { afterEach } from 'vitest';
import type { AppDeps } from '../../server/app.ts';
import { buildTestApp, type TestApp, type TestDatabase } from './app.ts';
import { startFakeAliyunSms, type FakeAliyunSms } from './fake-aliyun-sms.ts';
import { startFakeTencentSms, type FakeTencentSms } from './fake-tencent-sms.ts';

export const CALLBACK_TOKEN = 'sms-callback-token-0123456789';

export interface SentTemplateSms {
  to: string;
  templateId: string;
  /** Aliyun's named values; Tencent's by position, named 1, 2, … */
  params: Record<string, string>;
  /** OutId / SessionContext */
  outboxId: string | null;
  /** BizId / SerialNo */
  providerId: string;
}

/**
 * `timeout`: the provider took the message but did not answer; `lost`: the request never reached it, unanswered;
 * `day_limit` / `hour_limit`: the carrier's limit on the number for the day / the hour; `server_error`: the provider's
 * own failure after it took the message (Aliyun isp.SYSTEM_ERROR, Tencent InternalError.*).
 */
export type ProviderFailure = 'temporary' | 'permanent' | 'opted_out' | 'timeout' | 'lost' | 'day_limit' | 'hour_limit' | 'server_error';

export interface ProviderHarness {
  name: 'aliyun' | 'tencent';
  /** starts the fake (closed after the test) and builds the app sending through it */
  build(options?: BuildOptions): Promise<{
    t: TestApp;
    /** another app (a process started after `t` stopped) sending through the same fake: give both a databasePath, or the same `on` */
    restart: (options?: BuildOptions) => Promise<TestApp>;
    sent: () => SentTemplateSms[];
    /** the next `count` sends (default 1) fail so */
    fail: (failure: ProviderFailure, count?: number) => void;
    requests: () => { signed: boolean; action: string }[];
    /** Tencent: while held, sent messages have no status report yet (Aliyun knows a message as soon as it took it) */
    holdReports?: (held: boolean) => void;
  }>;
  /** step_started's template id in templates/sms-<provider>.json, and the progress reply's */
  stepStartedTemplate: string;
  progressTemplate: string;
  /** the reply templates after muting one application's notices and after turning them back on */
  mutedTemplate: string;
  unmutedTemplate: string;
  /** a status report of `sms` as the provider posts it */
  receipt(sms: SentTemplateSms, delivered: boolean, errorCode?: string): { url: string; payload: unknown };
  /** a customer's SMS as the provider posts it; `id` makes a redelivery the same message */
  reply(from: string, text: string, id: number): { url: string; payload: unknown };
  /** the provider's answer to an accepted callback */
  accepted: unknown;
  /** values by the template's variable names (Tencent: positions) */
  named(values: Record<string, string>): Record<string, string>;
}

type BuildOptions = {
  env?: Record<string, string>;
  now?: number;
  databasePath?: string;
  /** a database that outlives the app (sharedTestDatabase()), instead of a databasePath */
  on?: TestDatabase;
  deps?: Partial<AppDeps>;
};

/** An app sending through a fake provider, whose sends are stamped with that app's clock. */
async function appOn(fake: { useClock(now: () => number): void }, env: Record<string, string>, options: BuildOptions): Promise<TestApp> {
  const { on, ...rest } = options;
  const built = { ...rest, env: { ...env, ...options.env }, deps: { random: () => 0, ...options.deps } };
  const t = await (on ? on.build(built) : buildTestApp(built));
  fake.useClock(() => t.clock.now());
  return t;
}

const common = { QUIET_HOURS: '22:00-08:00', SMS_SEGMENTS_PER_SECOND: '1000', WECHAT_MESSAGES_PER_SECOND: '1000', SMS_CALLBACK_TOKEN: CALLBACK_TOKEN };

export const aliyun: ProviderHarness = {
  name: 'aliyun',
  async build(options = {}) {
    const fake: FakeAliyunSms = await startFakeAliyunSms();
    afterEach(() => fake.close());
    const env = {
      ...common,
      SMS_PROVIDER: 'aliyun',
      ALIYUN_ACCESS_KEY_ID: fake.credentials.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: fake.credentials.accessKeySecret,
      ALIYUN_SMS_SIGN_NAME: '接电助手',
      ALIYUN_SMS_ENDPOINT: fake.url,
    };
    const t = await appOn(fake, env, options);
    return {
      t,
      restart: (again = {}) => appOn(fake, env, again),
      sent: () =>
        fake.sent.map((m) => ({ to: m.phoneNumbers, templateId: m.templateCode, params: m.templateParam, outboxId: m.outId, providerId: m.bizId })),
      fail(failure, count = 1) {
        if (failure === 'timeout' || failure === 'lost') fake.failNext(count, { timeout: true, lost: failure === 'lost' });
        else if (failure === 'day_limit') fake.failNext(count, { code: 'isv.DAY_LIMIT_CONTROL', message: '触发日发送限额' });
        else if (failure === 'hour_limit') fake.failNext(count, { code: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发小时级流控Permits:5' });
        else if (failure === 'server_error') fake.failNext(count, { code: 'isp.SYSTEM_ERROR', taken: true });
        else fake.failNext(count, { code: { temporary: 'Throttling.User', permanent: 'isv.AMOUNT_NOT_ENOUGH', opted_out: 'MOBILE_IN_BLACK' }[failure] });
      },
      requests: () => fake.requests,
    };
  },
  stepStartedTemplate: 'SMS_487000001',
  progressTemplate: 'SMS_487000013',
  mutedTemplate: 'SMS_487000018',
  unmutedTemplate: 'SMS_487000019',
  receipt(sms, delivered, errorCode) {
    return {
      url: `/webhooks/aliyun/sms-report?token=${CALLBACK_TOKEN}`,
      payload: [
        {
          phone_number: sms.to,
          send_time: '2026-11-24 10:00:01',
          report_time: '2026-11-24 10:00:05',
          success: delivered,
          err_code: delivered ? 'DELIVERED' : (errorCode ?? 'UNKNOWN'),
          err_msg: delivered ? '用户接收成功' : '失败',
          sms_size: '1',
          biz_id: sms.providerId,
          out_id: sms.outboxId ?? '',
        },
      ],
    };
  },
  reply(from, text, id) {
    return {
      url: `/webhooks/aliyun/sms-up?token=${CALLBACK_TOKEN}`,
      payload: [{ phone_number: from, content: text, send_time: '2026-11-24 10:05:00', dest_code: '1069000', sequence_id: 900_000 + id, sign_name: '接电助手' }],
    };
  },
  accepted: { code: 0, msg: '接收成功' },
  named: (values) => values,
};

const tencentPositions: Record<string, string> = { applicationNo: '1', stepName: '2', dueDate: '3', connectDate: '4', expectedDate: '3' };

export const tencent: ProviderHarness = {
  name: 'tencent',
  async build(options = {}) {
    const fake: FakeTencentSms = await startFakeTencentSms();
    afterEach(() => fake.close());
    const env = {
      ...common,
      SMS_PROVIDER: 'tencent',
      TENCENT_SECRET_ID: fake.credentials.secretId,
      TENCENT_SECRET_KEY: fake.credentials.secretKey,
      TENCENT_SMS_SDK_APP_ID: fake.credentials.sdkAppId,
      TENCENT_SMS_SIGN_NAME: '接电助手',
      TENCENT_SMS_ENDPOINT: fake.url,
    };
    const t = await appOn(fake, env, options);
    return {
      t,
      restart: (again = {}) => appOn(fake, env, again),
      sent: () =>
        fake.sent.map((m) => ({
          to: m.phoneNumber,
          templateId: m.templateId,
          params: Object.fromEntries(m.templateParamSet.map((v, i) => [String(i + 1), v])),
          outboxId: m.sessionContext,
          providerId: m.serialNo,
        })),
      fail(failure, count = 1) {
        if (failure === 'timeout' || failure === 'lost') fake.failNext(count, { timeout: true, lost: failure === 'lost' });
        else if (failure === 'permanent') fake.failNext(count, { errorCode: 'FailedOperation.TemplateIncorrectOrUnapproved' });
        else if (failure === 'temporary') fake.failNext(count, { errorCode: 'RequestLimitExceeded' });
        else if (failure === 'server_error') fake.failNext(count, { errorCode: 'InternalError.Timeout', taken: true });
        else if (failure === 'day_limit') fake.failNext(count, { statusCode: 'LimitExceeded.PhoneNumberDailyLimit' });
        else if (failure === 'hour_limit') fake.failNext(count, { statusCode: 'LimitExceeded.PhoneNumberOneHourLimit' });
        else fake.failNext(count, { statusCode: 'FailedOperation.PhoneNumberInBlacklist' });
      },
      requests: () => fake.requests,
      holdReports: (held) => fake.holdReports(held),
    };
  },
  stepStartedTemplate: '1856001',
  progressTemplate: '1856013',
  mutedTemplate: '1856018',
  unmutedTemplate: '1856019',
  receipt(sms, delivered, errorCode) {
    return {
      url: `/webhooks/tencent/sms-status?token=${CALLBACK_TOKEN}`,
      payload: [
        {
          user_receive_time: '2026-11-24 10:00:05',
          nationcode: '86',
          mobile: sms.to.replace(/^\+86/, ''),
          report_status: delivered ? 'SUCCESS' : 'FAIL',
          errmsg: delivered ? 'DELIVRD' : (errorCode ?? 'UNDELIV'),
          description: delivered ? '用户短信送达成功' : '用户短信送达失败',
          sid: sms.providerId,
          ext: sms.outboxId ?? '',
        },
      ],
    };
  },
  reply(from, text, id) {
    return {
      url: `/webhooks/tencent/sms-reply?token=${CALLBACK_TOKEN}`,
      payload: { extend: '', mobile: from, nationcode: '86', sign: '接电助手', text, time: 1_795_999_000 + id },
    };
  },
  accepted: { result: 0, errmsg: 'OK' },
  named: (values) => Object.fromEntries(Object.entries(values).map(([k, v]) => [tencentPositions[k] ?? k, v])),
};

export const providers = [aliyun, tencent];
