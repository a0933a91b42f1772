// The inbound module: what customers and providers send back over the customer channels — template SMS status
// reports and replies (Aliyun, Tencent Cloud), the Official Account's callbacks (texts, follows, delivery results)
// and its web sign-in. Texts go to the chat; delivery reports to the notices' outbox rows.
import fp from 'fastify-plugin';
import type { WechatOaApi } from '../../channels/wechat-oa/api.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../shared/clock.ts';
import { createTemplateSms, type TemplateSms } from './template-sms.ts';
import { createWechatOaInbox, type WechatOaInbox } from './wechat-oa-inbox.ts';
import { createWechatOaWeb, type WechatOaWeb } from './wechat-oa-web.ts';

export interface InboundModule {
  /** Aliyun and Tencent status reports and customers' replies */
  templateSms: TemplateSms;
  /** the Official Account's callbacks */
  wechatOaInbox: WechatOaInbox;
  /** the mobile page's sign-in inside WeChat */
  wechatOaWeb: WechatOaWeb;
}

declare module 'fastify' {
  interface FastifyInstance {
    inbound: InboundModule;
  }
}

export interface InboundPluginOptions {
  config: Pick<Config, 'smsSignature' | 'wechatOa' | 'publicUrl'>;
  clock: Clock;
  /** the Official Account's API, when it is configured */
  wechatOaApi: WechatOaApi | null;
}

export const inboundPlugin = fp<InboundPluginOptions>(
  async (app, { config, clock, wechatOaApi }) => {
    const { stores, transact } = app;
    const { deliveryStatus, dispatcher } = app.notices;
    const wakeDispatcher = () => dispatcher.wake();
    const chat = app.chat.turns;
    app.decorate('inbound', {
      templateSms: createTemplateSms({ clock, stores, transact, deliveryStatus, chat, smsSignature: config.smsSignature, wakeDispatcher }),
      wechatOaInbox: createWechatOaInbox({ clock, stores, transact, chat, deliveryStatus, wakeDispatcher, log: app.log }),
      wechatOaWeb: createWechatOaWeb({ config: config.wechatOa, api: wechatOaApi, bindings: stores.bindings, customers: app.customers.access, publicUrl: config.publicUrl }),
    } satisfies InboundModule);
  },
  { name: 'inbound', dependencies: ['stores', 'notices', 'customers', 'chat'] },
);
