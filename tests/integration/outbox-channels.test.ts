// The channel names the outbox may hold are one union (channelKinds): a row naming a channel this version does not
// have (written by another version into the same database) is left alone for that version, and the others go out.
import { describe, expect, it } from 'vitest';
import type { ChannelKind } from '../../channels/channel.ts';
import { buildNoticeApp, fakeTwilioForTest } from '../support/notices.ts';

describe('outbox channels', () => {
  it('a row naming an unknown channel is left pending and untouched; an SMS queued beside it is sent', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    const now = t.clock.now();
    const row = (id: string, channel: ChannelKind) => ({
      id, applicationNo: null, recipientKind: 'customer' as const, recipientRef: null, channel, address: '13800001111',
      noticeKind: 'bind_code', variables: { code: '123456', validMinutes: 10 }, text: '验证码123456', content: null, segments: 1, urgent: true, nextAttemptAt: now, createdAt: now,
    });
    await t.app.stores.outbox.insert(row('from-another-version', 'fax' as ChannelKind));
    await t.app.stores.outbox.insert(row('an-sms', 'sms'));
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();

    expect(await t.app.stores.outbox.byId('from-another-version')).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(await t.app.stores.outbox.byId('an-sms')).toMatchObject({ status: 'sent' });
    expect(fake.messages).toHaveLength(1);
  });
});
