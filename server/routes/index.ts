// Every route plugin of the public HTTP contract (API.md), each given only what it uses.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Metrics } from '../shared/metrics.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { AttemptLog } from '../limits/attempt-log.ts';
import emailUnsubscribeRoutes from './email-unsubscribe.ts';
import statsRoutes from './stats.ts';
import liveRoutes from './live.ts';
import pagesRoutes from './pages.ts';
import syncRoutes from './sync.ts';
import progressRoutes from './progress.ts';
import operationsRoutes from './operations.ts';
import staffRoutes from './staff.ts';
import twilioWebhooks from './webhooks-twilio.ts';
import twilioSmsWebhook from './webhooks-twilio-sms.ts';
import chatRoutes from './chat.ts';
import aliyunSmsWebhooks from './webhooks-aliyun-sms.ts';
import tencentSmsWebhooks from './webhooks-tencent-sms.ts';
import staffChatRoutes from './staff-chat.ts';
import wechatOaWebhook from './webhooks-wechat-oa.ts';
import wechatOaWebRoutes from './wechat-oa-web.ts';
import riskRoutes from './risks.ts';
import type { InstanceReport } from './operations.ts';

export interface RoutesOptions {
  config: Config;
  clock: Clock;
  hub: RealtimeHub;
  metrics: Metrics;
  /** why the database takes no writes now, or null (/healthz) */
  writeProblem: () => Promise<string | null>;
  /** which database this instance runs on and which one-at-a-time work it holds now (/healthz) */
  instance: () => InstanceReport;
  /** where the chat's messages are counted for its rate limits */
  attempts: AttemptLog;
}

export const routes: FastifyPluginAsync<RoutesOptions> = async (app, { config, clock, hub, metrics, writeProblem, instance, attempts }) => {
  await app.register(operationsRoutes, { metrics, metricsToken: config.metricsToken, writeProblem, instance });
  await app.register(syncRoutes, { prefix: '/api/v1/sync', syncToken: config.syncToken });
  await app.register(progressRoutes, { prefix: '/api/v1', customers: app.customers.access, ratings: app.risks.ratings, kioskDeviceKey: config.kioskDeviceKey });
  await app.register(staffRoutes, { prefix: '/api/v1', timeZone: config.timeZone, publicUrl: config.publicUrl, risks: app.risks.items, ratings: app.risks.ratings });
  await app.register(statsRoutes, { prefix: '/api/v1', timeliness: app.timeLimits.timeliness });
  await app.register(twilioWebhooks, { prefix: '/webhooks/twilio', config });
  await app.register(twilioSmsWebhook, { prefix: '/webhooks/twilio', config });
  await app.register(wechatOaWebhook, { prefix: '/webhooks/wechat-oa', config, clock });
  await app.register(wechatOaWebRoutes, { prefix: '/api/v1' });
  await app.register(aliyunSmsWebhooks, { prefix: '/webhooks/aliyun', config });
  await app.register(tencentSmsWebhooks, { prefix: '/webhooks/tencent', config });
  await app.register(chatRoutes, { prefix: '/api/v1', customers: app.customers.access, clock, kioskDeviceKey: config.kioskDeviceKey, attempts });
  await app.register(staffChatRoutes, { prefix: '/api/v1' });
  await app.register(riskRoutes, { prefix: '/api/v1', timeZone: config.timeZone, risks: app.risks.items, stats: app.risks.stats, exposure: app.risks.exposure });
  await app.register(liveRoutes, { hub, customers: app.customers.access, clock, publicUrl: config.publicUrl });
  await app.register(pagesRoutes);
  await app.register(emailUnsubscribeRoutes, { unsubscribe: app.notices.unsubscribe, clock });
};
