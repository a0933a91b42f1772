// The notices module (通知): the writer turning facts into outbox rows, the dispatcher delivering them through the
// channels, provider delivery reports, the notice and e-mail templates, e-mail unsubscribe links and the customer's
// mutes (免打扰). The dispatcher starts with the app and stops, sends in flight recorded, when it closes.
import fp from 'fastify-plugin';
import type { Channels } from '../../channels/index.ts';
import type { Config } from '../config.ts';
import { mutable } from '../domain/notices.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Metrics } from '../shared/metrics.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { createDeliveryStatus, type DeliveryStatus } from './delivery-status.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import { loadEmailTemplates } from './email-templates.ts';
import { createEmailUnsubscribe, type EmailUnsubscribe } from './email-unsubscribe.ts';
import { createMuteService, type MuteService } from './mutes.ts';
import { loadNoticeTemplates } from './notice-templates.ts';
import { createSmsLimitCheck } from './sms-limits.ts';
import { createNoticeWriter, type NoticeWriter } from './writer.ts';
import { whileHeld, type Lease } from '../lease.ts';
import type { WriteHealth } from '../../db/unit-of-work.ts';

export interface NoticesModule {
  /** writes notices as outbox rows inside the transaction of the fact that caused them */
  writer: NoticeWriter;
  /** delivers outbox rows after commit; `wake()` after a transaction that wrote some */
  dispatcher: Dispatcher;
  /** provider delivery reports mapped back to outbox rows */
  deliveryStatus: DeliveryStatus;
  /** the customer's mutes of an application's notices */
  mutes: MuteService;
  /** signed unsubscribe links of customer e-mails */
  unsubscribe: EmailUnsubscribe;
  /** the channels notices go out through, started on ready and stopped on close */
  channels: Channels;
}

declare module 'fastify' {
  interface FastifyInstance {
    notices: NoticesModule;
  }
}

export interface NoticesPluginOptions {
  config: Pick<
    Config,
    | 'secret'
    | 'publicUrl'
    | 'timeZone'
    | 'smsSignature'
    | 'quietHours'
    | 'lateEventHorizonHours'
    | 'planChangeMinWorkdays'
    | 'dispatchConcurrency'
    | 'sendRates'
    | 'smsLimits'
  >;
  ctx: ServiceContext;
  /** the notice and e-mail templates */
  templatesDir: string;
  processCodes: string[];
  channels: Channels;
  metrics: Metrics;
  /** the outbox as the dispatcher delivers it (claims and records in transactions of its own) */
  queue: DeliveryQueue;
  /** where the dispatcher's refused writes are reported (/healthz) */
  health: WriteHealth;
  /** false: outbox rows stay queued until `dispatcher.start()` (tests that look at the queue) */
  startDispatcher?: boolean;
  random?: () => number;
  /**
   * Several instances: the Wechaty bot (one WeChat session per account) runs only on the holder of this lease, which
   * alone dispatches WeChat rows; absent: always here.
   */
  botLease?: Lease;
}

export const noticesPlugin = fp<NoticesPluginOptions>(
  async (app, options) => {
    const { config, ctx, channels, metrics } = options;
    const { queue } = options;
    const paced = (kind: 'sms' | 'wechat' | 'wechat_oa') => (channels.channels[kind].provider === 'log' ? Infinity : config.sendRates[kind]);
    const countDelivery = ({ channel, status }: { channel: string; status: string }) =>
      metrics.count('jiedian_deliveries_total', 'Outbox rows reaching a status, by channel', { channel, status });
    const bot = channels.wechat;
    let stopBot: (() => Promise<void>) | undefined;
    const dispatcher = createDispatcher({
      queue,
      channels: channels.channels,
      clock: ctx.clock,
      log: app.log,
      concurrency: config.dispatchConcurrency,
      ratePerSecond: { sms: paced('sms'), wechat: paced('wechat'), wechat_oa: paced('wechat_oa') },
      random: options.random,
      quietHours: config.quietHours,
      timeZone: config.timeZone,
      isMuted: async (row) => row.applicationNo !== null && mutable(row) && (await app.stores.mutes.isMuted(row.applicationNo, row.channel, row.address)),
      onStatus: countDelivery,
      health: options.health,
      // WeChat rows wait for the instance whose bot is logged in
      channelAvailable: (kind) => kind !== 'wechat' || !bot || !options.botLease || options.botLease.held(),
      waitBeforeSend: config.smsLimits ? createSmsLimitCheck(queue, config.smsLimits, channels.smsTemplateOf) : undefined,
    });
    const unsubscribe = createEmailUnsubscribe({ secret: config.secret, publicUrl: config.publicUrl, stores: app.stores, transact: app.transact });
    const writer = createNoticeWriter({
      ctx,
      templates: loadNoticeTemplates({ dir: options.templatesDir, smsSignature: config.smsSignature, timeZone: config.timeZone, processCodes: options.processCodes }),
      emailTemplates: loadEmailTemplates({ dir: options.templatesDir, timeZone: config.timeZone }),
      unsubscribe,
      quietHours: config.quietHours,
      log: app.log,
      lateEventHorizonHours: config.lateEventHorizonHours,
      planChangeMinWorkdays: config.planChangeMinWorkdays,
      onUnrendered: ({ kind, channel }) =>
        metrics.count('jiedian_notices_unrendered_total', 'Notices that could not be rendered (kept as failed outbox rows), by kind and channel', { kind, channel }),
    });
    const deliveryStatus = createDeliveryStatus(app.transact, ctx.clock, countDelivery);
    app.decorate('notices', { writer, dispatcher, deliveryStatus, mutes: createMuteService(ctx, app), unsubscribe, channels } satisfies NoticesModule);

    app.addHook('onReady', async () => {
      for (const line of channels.announce) app.log.info(line);
      // a warning, so it shows at LOG_LEVEL=warn too (the demo): a deployment without credentials notifies nobody
      if (channels.fallbacks.length > 0) {
        const names = channels.fallbacks.length > 1 ? `${channels.fallbacks.slice(0, -1).join(', ')} and ${channels.fallbacks.at(-1)}` : channels.fallbacks[0];
        app.log.warn({ channels: channels.fallbacks }, `no credentials for ${names}: those messages go to the log only`);
      }
      for (const channel of Object.values(channels.channels)) if (channel !== bot) await channel.start?.();
      if (bot) {
        if (options.botLease) {
          stopBot = whileHeld(
            options.botLease,
            async () => {
              app.log.info({ lease: options.botLease!.name }, 'this instance holds the WeChat bot lease: the bot starts here');
              await bot.start();
              dispatcher.wake();
            },
            async () => {
              app.log.warn({ lease: options.botLease!.name }, 'this instance lost the WeChat bot lease: the bot stops here');
              await bot.stop();
            },
            (error) => app.log.error({ err: error }, 'the WeChat bot could not be started or stopped'),
          );
        } else await bot.start();
      }
      if (options.startDispatcher !== false) await dispatcher.start();
    });
    app.addHook('onClose', async () => {
      await dispatcher.stop();
      for (const channel of Object.values(channels.channels)) if (channel !== bot) await channel.stop?.();
      if (stopBot) await stopBot();
      else await bot?.stop();
    });
  },
  { name: 'notices', dependencies: ['stores'] },
);
