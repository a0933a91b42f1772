// The notice writer's outbox port's contract, run against every implementation: SQLite and PostgreSQL give the same
// answers over the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewOutboxRow, Outbox } from '../../server/notices/outbox.ts';
import { storeImplementations } from '../support/store-contract.ts';

const APPLICATION = 'YX2026-0001';

const row = (id: string, over: Partial<NewOutboxRow> = {}): NewOutboxRow => ({
  id,
  applicationNo: APPLICATION,
  recipientKind: 'customer',
  recipientRef: '5300123456',
  channel: 'sms',
  address: '13800001111',
  noticeKind: 'step_started',
  variables: { stepName: '现场勘查' },
  text: '【接电】现场勘查已开始',
  segments: 1,
  urgent: false,
  nextAttemptAt: 100,
  createdAt: 100,
  ...over,
});

// a row a provider took (Twilio's SID), and a dead one of another application
const SENT_ROWS = `
INSERT INTO outbox (id, application_no, recipient_kind, recipient_ref, channel, address, notice_kind, variables, text, segments, urgent,
    lane, topic, status, attempts, next_attempt_at, provider, provider_id, created_at, sent_at, updated_at) VALUES
  ('sent-1', 'YX2026-0002', 'customer', '5300123457', 'sms', '13800002222', 'plan_created', '{"expectedConnectDate":"2026-12-20"}', '计划', 1, FALSE,
    1, 'plan', 'sent', 1, 50, 'twilio', 'SM0001', 50, 60, 60),
  ('dead-1', 'YX2026-0003', 'handler', 'H001', 'sms', '13912345678', 'escalation', '{}', '催办升级', 1, TRUE,
    0, NULL, 'dead', 5, 50, NULL, NULL, 40, NULL, 70);
`;

describe.each(storeImplementations)('the outbox on $name', (implementation) => {
  let outbox: Outbox;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open(SENT_ROWS);
    outbox = opened.stores.outbox;
    close = opened.close;
  });
  afterAll(() => close());

  it('writes a notice pending, in the notices\' lane unless told, and reads it back as written', async () => {
    await outbox.insert(row('a-1', { topic: 'step:survey', content: null }));
    await outbox.insert(row('a-2', { noticeKind: 'hurry_received', lane: 0, urgent: true, createdAt: 110, nextAttemptAt: 110 }));
    expect(await outbox.byId('a-1')).toMatchObject({ ...row('a-1'), topic: 'step:survey', lane: 1, status: 'pending', attempts: 0, updatedAt: 100, lastError: null, sentAt: null, inDoubtSince: null });
    expect(await outbox.byId('a-2')).toMatchObject({ lane: 0, urgent: true, topic: null, variables: { stepName: '现场勘查' } });
    expect(await outbox.byId('nothing')).toBeNull();
  });

  it('keeps a notice that could not be rendered as a failed row with the reason', async () => {
    await outbox.insertUnrendered(row('a-3', { text: '', segments: 0, createdAt: 120, nextAttemptAt: 120 }), 'not rendered: no template');
    expect(await outbox.byId('a-3')).toMatchObject({ status: 'failed', lastError: 'not rendered: no template', attempts: 0 });
  });

  it('writes a row named after what it answers once', async () => {
    const reply = row('sms-reply:aliyun:9001', { applicationNo: null, recipientRef: null, noticeKind: 'chat_reply', urgent: true, createdAt: 130, nextAttemptAt: 130 });
    expect(await outbox.insertOnce(reply)).toBe(true);
    expect(await outbox.insertOnce({ ...reply, text: '另一个答复' })).toBe(false);
    expect((await outbox.byId(reply.id))?.text).toBe(reply.text);
  });

  it('supersedes the application\'s pending customer rows on the topics named, oldest first, and only those', async () => {
    await outbox.insert(row('p-1', { noticeKind: 'plan_created', topic: 'plan', createdAt: 140, nextAttemptAt: 140 }));
    await outbox.insert(row('p-2', { noticeKind: 'plan_changed', topic: 'plan', createdAt: 150, nextAttemptAt: 150 }));
    await outbox.insert(row('h-1', { recipientKind: 'handler', recipientRef: 'H001', topic: 'plan', createdAt: 155, nextAttemptAt: 155 }));
    expect(await outbox.supersede(APPLICATION, [], 160, 'nothing')).toEqual([]);
    const superseded = await outbox.supersede(APPLICATION, ['plan'], 160, 'superseded by a newer plan');
    expect(superseded.map((r) => [r.id, r.status, r.lastError])).toEqual([
      ['p-1', 'superseded', 'superseded by a newer plan'],
      ['p-2', 'superseded', 'superseded by a newer plan'],
    ]);
    expect((await outbox.byId('h-1'))?.status).toBe('pending');
    // every topic: a row without one (a hurry's receipt) stays
    expect((await outbox.supersede(APPLICATION, null, 170, 'connected')).map((r) => r.id)).toEqual(['a-1']);
    expect((await outbox.byId('a-2'))?.status).toBe('pending');
  });

  it('tells whether a notice of a kind was handed over since a time, and whether the regulatory sentence went', async () => {
    expect(await outbox.sentSince('YX2026-0002', 'plan_created', 60)).toBe(true);
    expect(await outbox.sentSince('YX2026-0002', 'plan_created', 61)).toBe(false);
    expect(await outbox.sentSince(APPLICATION, 'plan_created', 0)).toBe(false);
    expect(await outbox.regulationCarried('YX2026-0002')).toBe(true);
    // superseded plan notices do not count; a step notice written with the sentence does
    expect(await outbox.regulationCarried(APPLICATION)).toBe(false);
    await outbox.insert(row('s-1', { variables: { stepName: '现场勘查', includeRegulation: true }, topic: 'step:survey', createdAt: 180, nextAttemptAt: 180 }));
    expect(await outbox.regulationCarried(APPLICATION)).toBe(true);
  });

  it('keeps an address\'s first opt-out and its source until it is cleared', async () => {
    expect(await outbox.isOptedOut('sms', '13800001111')).toBe(false);
    await outbox.optOut('sms', '13800001111', 200, 'chat');
    await outbox.optOut('sms', '13800001111', 210, 'twilio:21610');
    expect(await outbox.isOptedOut('sms', '13800001111')).toBe(true);
    expect(await outbox.isOptedOut('wechat', '13800001111')).toBe(false);
    expect(await outbox.optOutSource('sms', '13800001111')).toBe('chat');
    expect(await outbox.optOutSource('email', 'a@example.cn')).toBeNull();
    expect(await outbox.clearOptOut('sms', '13800001111')).toBe(1);
    expect(await outbox.clearOptOut('sms', '13800001111')).toBe(0);
    expect(await outbox.isOptedOut('sms', '13800001111')).toBe(false);
  });

  it('finds a row by its provider id and records a delivery report on it', async () => {
    expect((await outbox.byProviderId('SM0001'))?.id).toBe('sent-1');
    expect(await outbox.byProviderId('SM9999')).toBeNull();
    await outbox.recordReport('sent-1', { status: 'delivered', deliveredAt: 220, lastError: null, updatedAt: 220 });
    expect(await outbox.byId('sent-1')).toMatchObject({ status: 'delivered', deliveredAt: 220, updatedAt: 220, sentAt: 60, providerId: 'SM0001' });
  });

  it('lists an application\'s rows newest first, the failed and dead ones newest first, and counts by channel and status', async () => {
    expect((await outbox.ofApplication(APPLICATION)).map((r) => r.id)).toEqual(['s-1', 'h-1', 'p-2', 'p-1', 'a-3', 'a-2', 'a-1']);
    expect((await outbox.failures(10)).map((r) => r.id)).toEqual(['a-3', 'dead-1']);
    expect((await outbox.failures(1)).map((r) => r.id)).toEqual(['a-3']);
    const counts = (await outbox.countsByChannelAndStatus()).sort((a, b) => a.status.localeCompare(b.status));
    expect(counts).toEqual([
      { channel: 'sms', status: 'dead', count: 1 },
      { channel: 'sms', status: 'delivered', count: 1 },
      { channel: 'sms', status: 'failed', count: 1 },
      { channel: 'sms', status: 'pending', count: 4 },
      { channel: 'sms', status: 'superseded', count: 3 },
    ]);
  });
});
