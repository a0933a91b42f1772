// The chat store port's contract, run against every implementation: SQLite and PostgreSQL give the same answers over
// the same rows, and one conversation asking for a person on two instances at once opens one consult.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transact } from '../../server/stores.ts';
import type { ChatStore, Conversation } from '../../server/chat/chat-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

const EXTRA_ROWS = `
INSERT INTO applications (application_no, account_no, customer_name, process_code, address, phone, query_code_hmac, accepted_at,
    status, account_manager_id, source_digest, plan_feasible, plan_basis, plan_compressed, planned_on, created_at, updated_at) VALUES
  ('YX2026-0004', '5300123456', '张三', 'lv_resident', '城东路4号', '13800009999', 'h4', 2, 'active', NULL, 'd4', TRUE, 'typical', FALSE, '2026-11-24', 1, 1);
INSERT INTO chat_conversations (id, channel, address, state, state_expires_at, bind_failures, bind_locked_until, session_account_no, session_until,
    created_at, last_message_at) VALUES
  ('c1', 'sms', '13800001111', '{"kind":"menu"}', 100, 1, NULL, NULL, NULL, 1, 20),
  ('c2', 'kiosk', 'sess-1', NULL, NULL, 0, NULL, '5300123456', 500, 2, 5);
INSERT INTO chat_messages (conversation_id, direction, text, intent, provider_message_id, reply_to, at) VALUES
  ('c1', 'in', '进度', 'progress', 'SM1', NULL, 10),
  ('c1', 'out', '您的申请在现场勘查', NULL, NULL, 1, 10),
  ('c1', 'in', '再问', 'progress', 'SM2', NULL, 20);
INSERT INTO consults (id, conversation_id, channel, address, account_no, application_no, team_id, text, status, created_at, closed_at, closed_by, note) VALUES
  ('ZX2611240001', 'c1', 'sms', '13800001111', '5300123456', 'YX2026-0001', 'T01', '进度\n人工', 'open', 30, NULL, NULL, NULL),
  ('ZX2611240002', 'c2', 'kiosk', 'sess-1', NULL, NULL, NULL, '人工', 'closed', 5, 40, 'H009', '已回电'),
  ('ZX2611240003', 'c3', 'wechat', 'wx-1', NULL, NULL, 'T02', '转人工', 'open', 35, NULL, NULL, NULL);
INSERT INTO knowledge_entries (id, question, variants, keywords, answer, source, updated_at, updated_by) VALUES
  ('outage', '停电了找谁', '["停电"]', '["停电","报修"]', '请拨打95598', 'file', 1, NULL),
  ('fee', '收费吗', '[]', '["收费"]', '不收费', 'staff', 3, 'H009');
`;

const lead = { role: 'team_lead', handlerId: 'H009', teamId: 'T01' } as const;
const admin = { role: 'admin', handlerId: 'H009', teamId: 'T01' } as const;
const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

describe.each(storeImplementations)('the chat record on $name', (implementation) => {
  let chats: ChatStore;
  let transact: Transact;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open(EXTRA_ROWS);
    chats = opened.stores.chats;
    transact = opened.transact;
    close = opened.close;
  });
  afterAll(() => close());

  it('reads a conversation by channel and address, with its state as stored', async () => {
    expect(await chats.conversation('sms', '13800001111')).toEqual({
      id: 'c1',
      channel: 'sms',
      address: '13800001111',
      state: { kind: 'menu' },
      stateExpiresAt: 100,
      bindFailures: 1,
      bindLockedUntil: null,
      sessionAccountNo: null,
      sessionUntil: null,
      createdAt: 1,
      lastMessageAt: 20,
    });
    expect(await chats.conversation('wechat', '13800001111')).toBeNull();
    expect((await chats.conversation('kiosk', 'sess-1'))?.state).toBeNull();
  });

  it('saves a whole conversation row: a new one, then changed; an idle state stays empty', async () => {
    const row: Conversation = {
      id: 'c9',
      channel: 'wechat',
      address: 'wx-9',
      state: { dialogue: { kind: 'awaiting_code' }, scopes: { '5300123456': ['YX2026-0001'] } },
      stateExpiresAt: 70,
      bindFailures: 0,
      bindLockedUntil: null,
      sessionAccountNo: null,
      sessionUntil: null,
      createdAt: 60,
      lastMessageAt: 60,
    };
    await transact(async (stores) => stores.chats.saveConversation(row));
    expect(await chats.conversation('wechat', 'wx-9')).toEqual(row);
    const changed = { ...row, state: null, stateExpiresAt: null, bindFailures: 2, bindLockedUntil: 90, lastMessageAt: 65, createdAt: 999 };
    await transact(async (stores) => stores.chats.saveConversation(changed));
    expect(await chats.conversation('wechat', 'wx-9')).toEqual({ ...changed, createdAt: 60 });
  });

  it('answers a redelivered message from the record, and keeps messages in order', async () => {
    expect(await chats.redelivered('sms', 'SM1')).toEqual({ intent: 'progress', replies: ['您的申请在现场勘查'] });
    expect(await chats.redelivered('sms', 'SM2')).toEqual({ intent: 'progress', replies: [] });
    expect(await chats.redelivered('wechat', 'SM1')).toBeNull();
    expect(await chats.recentInbound('c1', 1)).toEqual([{ text: '再问', at: 20 }]);
    expect(await chats.recentInbound('c1', 5)).toEqual([
      { text: '进度', at: 10 },
      { text: '再问', at: 20 },
    ]);
    const id = await transact((stores) => stores.chats.insertMessage({ conversationId: 'c2', direction: 'in', text: '你好', at: 50 }));
    const reply = await transact((stores) => stores.chats.insertMessage({ conversationId: 'c2', direction: 'out', text: '您好', replyTo: id, at: 50 }));
    expect(reply).toBeGreaterThan(id);
    expect(await chats.messagesOf('c2')).toEqual([
      { id, conversationId: 'c2', direction: 'in', text: '你好', intent: null, providerMessageId: null, replyTo: null, at: 50 },
      { id: reply, conversationId: 'c2', direction: 'out', text: '您好', intent: null, providerMessageId: null, replyTo: id, at: 50 },
    ]);
  });

  it("lists an account's applications newest first, and those registered with a phone", async () => {
    expect(await chats.applicationNosOfAccount('5300123456')).toEqual(['YX2026-0004', 'YX2026-0001']);
    expect(await chats.applicationNosByPhone('5300123456', '13800001111')).toEqual(['YX2026-0001']);
    expect(await chats.applicationNosByPhone('5300123457', '13800001111')).toEqual([]);
  });

  it("reads consults and the queues: open first, oldest first, then the closed since; a team lead's includes those of no team", async () => {
    expect(await chats.consult('ZX2611240002')).toEqual({
      id: 'ZX2611240002',
      conversationId: 'c2',
      channel: 'kiosk',
      address: 'sess-1',
      accountNo: null,
      applicationNo: null,
      teamId: null,
      text: '人工',
      status: 'closed',
      createdAt: 5,
      closedAt: 40,
      closedBy: 'H009',
      note: '已回电',
    });
    expect(await chats.consult('ZX2699999999')).toBeNull();
    expect((await chats.openConsultOf('c1'))?.id).toBe('ZX2611240001');
    expect(await chats.openConsultOf('c2')).toBeNull();
    expect(ids(await chats.consultQueue(admin, 0))).toEqual(['ZX2611240001', 'ZX2611240003', 'ZX2611240002']);
    expect(ids(await chats.consultQueue(admin, 41))).toEqual(['ZX2611240001', 'ZX2611240003']);
    expect(ids(await chats.consultQueue(lead, 0))).toEqual(['ZX2611240001', 'ZX2611240002']);
    expect(await chats.countConsultsSince(30)).toBe(2);
    expect(await chats.openConsultCount()).toBe(2);
  });

  it('closes an open consult once', async () => {
    expect(await transact((stores) => stores.chats.closeConsult('ZX2611240003', 'H101', 45, '已回复'))).toBe(true);
    expect(await transact((stores) => stores.chats.closeConsult('ZX2611240003', 'H009', 46, null))).toBe(false);
    expect(await chats.consult('ZX2611240003')).toMatchObject({ status: 'closed', closedAt: 45, closedBy: 'H101', note: '已回复' });
    expect(await chats.openConsultCount()).toBe(1);
  });

  it("keeps the knowledge base: the file's entries refreshed unless staff edited them, staff edits kept", async () => {
    expect((await chats.knowledgeEntries()).map((k) => k.id)).toEqual(['fee', 'outage']);
    expect(await chats.knowledgeEntry('outage')).toEqual({
      id: 'outage',
      question: '停电了找谁',
      variants: ['停电'],
      keywords: ['停电', '报修'],
      answer: '请拨打95598',
      source: 'file',
      updatedAt: 1,
      updatedBy: null,
    });
    expect(await chats.knowledgeStamp()).toBe('2:3');
    const file = { question: '停电了找谁', variants: ['停电'], keywords: ['停电', '报修'], answer: '请拨打95598', updatedAt: 10 };
    expect(await transact((stores) => stores.chats.upsertKnowledgeFromFile({ id: 'outage', ...file }))).toBe(false);
    expect(await transact((stores) => stores.chats.upsertKnowledgeFromFile({ id: 'fee', ...file }))).toBe(false);
    expect(await transact((stores) => stores.chats.upsertKnowledgeFromFile({ id: 'outage', ...file, answer: '请拨打95598或本地供电所' }))).toBe(true);
    expect(await transact((stores) => stores.chats.upsertKnowledgeFromFile({ id: 'meter', ...file, question: '电表在哪' }))).toBe(true);
    expect(await chats.knowledgeEntry('outage')).toMatchObject({ answer: '请拨打95598或本地供电所', source: 'file', updatedAt: 10 });
    expect(await chats.knowledgeEntry('fee')).toMatchObject({ answer: '不收费', source: 'staff' });
    expect(await chats.knowledgeStamp()).toBe('3:10');
    const staff = { question: '电表在哪', variants: [], keywords: ['电表'], answer: '在表箱内', updatedAt: 11, updatedBy: 'H009' };
    expect(await transact((stores) => stores.chats.putKnowledge({ id: 'meter', ...staff }))).toBe('updated');
    expect(await transact((stores) => stores.chats.putKnowledge({ id: 'wiring', ...staff, question: '怎么布线' }))).toBe('created');
    expect(await chats.knowledgeEntry('meter')).toMatchObject({ answer: '在表箱内', source: 'staff', updatedBy: 'H009', updatedAt: 11 });
  });

  it("opens an address's conversation for its first message, idle, and gives the one there to a later one", async () => {
    const made = await chats.openConversation({ id: 'c20', channel: 'wechat_oa', address: 'oOPENID20', createdAt: 50 });
    expect(made).toEqual({
      id: 'c20',
      channel: 'wechat_oa',
      address: 'oOPENID20',
      state: null,
      stateExpiresAt: null,
      bindFailures: 0,
      bindLockedUntil: null,
      sessionAccountNo: null,
      sessionUntil: null,
      createdAt: 50,
      lastMessageAt: 50,
    });
    expect(await chats.openConversation({ id: 'c21', channel: 'wechat_oa', address: 'oOPENID20', createdAt: 60 })).toEqual(made);
    expect((await chats.openConversation({ id: 'c1-again', channel: 'sms', address: '13800001111', createdAt: 60 })).id).toBe('c1');
  });

  it("of an address's first messages taken by two instances at once, both get one conversation", async () => {
    const two = await implementation.openTwo();
    try {
      const [a, b] = two.instances;
      const first = (instance: typeof a, id: string) => instance.stores.chats.openConversation({ id, channel: 'sms', address: '13800005555', createdAt: 70 });
      const opened = await Promise.all([first(a, 'on-a'), first(b, 'on-b'), first(a, 'on-a-2'), first(b, 'on-b-2')]);
      expect(new Set(opened.map((c) => c.id)).size).toBe(1);
      expect((await b.stores.chats.conversation('sms', '13800005555'))?.id).toBe(opened[0]!.id);
    } finally {
      await two.close();
    }
  });

  it('opens one consult when one conversation asks for a person on two instances at once', async () => {
    const open = (text: string) =>
      transact(async ({ chats: tx }) => {
        const sequence = (await tx.countConsultsSince(1000)) + 1;
        const existing = await tx.openConsultOf('c7');
        if (existing) return existing.id;
        const id = `ZX261125${String(sequence).padStart(4, '0')}`;
        await tx.insertConsult({ id, conversationId: 'c7', channel: 'sms', address: '13800007777', accountNo: null, applicationNo: null, teamId: null, text, createdAt: 1000 });
        return id;
      });
    const [a, b] = await Promise.all([open('人工'), open('转人工')]);
    expect(a).toBe('ZX2611250001');
    expect(b).toBe('ZX2611250001');
    expect(ids((await chats.consultQueue(admin, 0)).filter((c) => c.conversationId === 'c7'))).toEqual(['ZX2611250001']);
  });
});
