// The inbound module: template SMS reports and replies, the Official Account's callbacks and web sign-in, made one
// fastify-plugin over the store ports, and their routes fed from it rather than from the app's bag.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { inboundPlugin, type InboundPluginOptions } from '../../server/inbound/plugin.ts';
import { buildTestApp } from '../support/app.ts';

describe('the inbound plugin', () => {
  it('decorates the app with the template SMS callbacks, the Official Account inbox and its web sign-in, their one home', async () => {
    const t = await buildTestApp({ deps: { startSweeper: false } });
    expect(Object.keys(t.app.inbound).sort()).toEqual(['templateSms', 'wechatOaInbox', 'wechatOaWeb']);
    expect(t.app.hasDecorator('jiedian')).toBe(false);
    // their stores are ports every unit of work gets
    for (const port of ['mutes', 'outbox', 'smsReceipts', 'wechatOa'] as const) expect(t.app.stores).toHaveProperty(port);
    // without the Official Account configured, the mobile page is served as it is, with no WeChat redirect
    expect(t.app.inbound.wechatOaWeb.enabled).toBe(false);
  });

  it('records a template SMS status report once, in the unit of work that moves its outbox row', async () => {
    const t = await buildTestApp({ deps: { startSweeper: false, startDispatcher: false } });
    const now = t.clock.now();
    await t.app.transact((s) => s.outbox.insert({ id: 'row-1', applicationNo: null, recipientKind: 'customer', recipientRef: null, channel: 'sms', address: '13800001111', noticeKind: 'chat_reply', variables: {}, text: '答复', segments: 1, urgent: true, nextAttemptAt: now, createdAt: now }));
    const report = { providerId: 'BIZ-1', outboxId: 'row-1', phone: '13800001111', delivered: true, errorCode: null, optedOut: false };
    expect(await t.app.inbound.templateSms.recordReceipts('aliyun', [report, report])).toEqual({ recorded: 1, repeated: 1 });
    expect(await t.app.stores.outbox.byId('row-1')).toMatchObject({ status: 'delivered', deliveredAt: now });
    expect(await t.app.stores.smsReceipts.byOutboxId('aliyun', 'row-1')).toMatchObject({ providerId: 'BIZ-1', status: 'delivered' });
    expect(await t.app.inbound.templateSms.recordReceipts('aliyun', [report])).toEqual({ recorded: 0, repeated: 1 });
  });

  it('will not start without the modules it depends on, and says which', async () => {
    const app = Fastify();
    app.register(inboundPlugin, {} as InboundPluginOptions);
    await expect(app.ready()).rejects.toThrow(/stores|notices|chat/);
  });
});
