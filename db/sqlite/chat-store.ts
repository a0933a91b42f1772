// The chatbot's store (server/chat/chat-store.ts) on SQLite: conversations and their messages, consults, knowledge
// entries. Writes are serialised by the unit of work's queue, so consult numbering needs no lock here.
import { and, asc, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { applications, chatConversations, chatMessages, consults, knowledgeEntries } from '../schema/index.ts';
import type { StaffScope } from '../../server/staff/staff-accounts.ts';
import { sameKnowledge, type ChatStore, type Conversation, type KnowledgeRow } from '../../server/chat/chat-store.ts';

const p = sql.placeholder;

export function createSqliteChatStore(db: Db): ChatStore {
  const conversationByAddress = db
    .select()
    .from(chatConversations)
    .where(and(eq(chatConversations.channel, p('channel')), eq(chatConversations.address, p('address'))))
    .prepare();
  const inboundByProviderId = db
    .select({ id: chatMessages.id, intent: chatMessages.intent })
    .from(chatMessages)
    .innerJoin(chatConversations, eq(chatConversations.id, chatMessages.conversationId))
    .where(and(eq(chatMessages.providerMessageId, p('providerMessageId')), eq(chatConversations.channel, p('channel')), eq(chatMessages.direction, 'in')))
    .limit(1)
    .prepare();
  const repliesTo = db.select({ text: chatMessages.text }).from(chatMessages).where(eq(chatMessages.replyTo, p('id'))).orderBy(asc(chatMessages.id)).prepare();
  const insertMessage = db
    .insert(chatMessages)
    .values({
      conversationId: p('conversationId'),
      direction: p('direction'),
      text: p('text'),
      intent: p('intent'),
      providerMessageId: p('providerMessageId'),
      replyTo: p('replyTo'),
      at: p('at'),
    })
    .returning({ id: chatMessages.id })
    .prepare();
  const applicationNosByPhone = db
    .select({ applicationNo: applications.applicationNo })
    .from(applications)
    .where(and(eq(applications.accountNo, p('accountNo')), eq(applications.phone, p('phone'))))
    .orderBy(desc(applications.acceptedAt), desc(applications.applicationNo))
    .prepare();
  const applicationNosOfAccount = db
    .select({ applicationNo: applications.applicationNo })
    .from(applications)
    .where(eq(applications.accountNo, p('accountNo')))
    .orderBy(desc(applications.acceptedAt), desc(applications.applicationNo))
    .prepare();
  // Every turn writes the whole row: one prepared statement instead of a statement prepared per call.
  const saveConversation = db
    .insert(chatConversations)
    .values({
      id: p('id'),
      channel: p('channel'),
      address: p('address'),
      // raw, not through the json column's encoder: that would store SQL NULL as the text 'null'
      state: sql`${p('state')}`,
      stateExpiresAt: p('stateExpiresAt'),
      bindFailures: p('bindFailures'),
      bindLockedUntil: p('bindLockedUntil'),
      sessionAccountNo: p('sessionAccountNo'),
      sessionUntil: p('sessionUntil'),
      createdAt: p('createdAt'),
      lastMessageAt: p('lastMessageAt'),
    })
    .onConflictDoUpdate({
      target: chatConversations.id,
      set: {
        state: sql`excluded.state`,
        stateExpiresAt: sql`excluded.state_expires_at`,
        bindFailures: sql`excluded.bind_failures`,
        bindLockedUntil: sql`excluded.bind_locked_until`,
        sessionAccountNo: sql`excluded.session_account_no`,
        sessionUntil: sql`excluded.session_until`,
        lastMessageAt: sql`excluded.last_message_at`,
      },
    })
    .prepare();
  const knowledgeStamp = db
    .select({ count: sql<number>`count(*)`, latest: sql<number | null>`max(${knowledgeEntries.updatedAt})` })
    .from(knowledgeEntries)
    .prepare();

  function consultScope(scope: StaffScope): SQL | undefined {
    if (scope.role === 'admin') return undefined;
    // Consults of senders without a bound account have no team: every team lead sees them.
    return or(eq(consults.teamId, scope.teamId), isNull(consults.teamId));
  }
  const knowledgeEntry = (id: string): KnowledgeRow | null => db.select().from(knowledgeEntries).where(eq(knowledgeEntries.id, id)).get() ?? null;

  return {
    conversation: async (channel, address) => (conversationByAddress.get({ channel, address }) as Conversation | undefined) ?? null,
    async openConversation(conversation) {
      db.insert(chatConversations).values({ ...conversation, lastMessageAt: conversation.createdAt }).onConflictDoNothing().run();
      return conversationByAddress.get({ channel: conversation.channel, address: conversation.address }) as Conversation;
    },
    async saveConversation(row) {
      saveConversation.run({ ...row, state: row.state === null ? null : JSON.stringify(row.state) });
    },
    async redelivered(channel, providerMessageId) {
      const inbound = inboundByProviderId.get({ channel, providerMessageId });
      if (!inbound) return null;
      return { intent: inbound.intent, replies: repliesTo.all({ id: inbound.id }).map((r) => r.text) };
    },
    insertMessage: async (message) => insertMessage.get({ intent: null, providerMessageId: null, replyTo: null, ...message })!.id,
    messagesOf: async (conversationId) => db.select().from(chatMessages).where(eq(chatMessages.conversationId, conversationId)).orderBy(asc(chatMessages.id)).all(),
    recentInbound: async (conversationId, limit) =>
      db
        .select({ text: chatMessages.text, at: chatMessages.at })
        .from(chatMessages)
        .where(and(eq(chatMessages.conversationId, conversationId), eq(chatMessages.direction, 'in')))
        .orderBy(desc(chatMessages.id))
        .limit(limit)
        .all()
        .reverse(),

    applicationNosOfAccount: async (accountNo) => applicationNosOfAccount.all({ accountNo }).map((r) => r.applicationNo),
    applicationNosByPhone: async (accountNo, phone) => applicationNosByPhone.all({ accountNo, phone }).map((r) => r.applicationNo),

    countConsultsSince: async (from) => db.select({ n: sql<number>`count(*)` }).from(consults).where(sql`${consults.createdAt} >= ${from}`).get()?.n ?? 0,
    async insertConsult(consult) {
      db.insert(consults).values({ ...consult, status: 'open' }).run();
    },
    consult: async (id) => db.select().from(consults).where(eq(consults.id, id)).get() ?? null,
    openConsultOf: async (conversationId) =>
      db.select().from(consults).where(and(eq(consults.conversationId, conversationId), eq(consults.status, 'open'))).orderBy(desc(consults.createdAt), desc(consults.id)).get() ?? null,
    consultQueue: async (scope, closedSince) =>
      db
        .select()
        .from(consults)
        .where(and(consultScope(scope), or(eq(consults.status, 'open'), sql`${consults.closedAt} >= ${closedSince}`)))
        .orderBy(sql`${consults.status} = 'closed'`, asc(consults.createdAt), asc(consults.id))
        .all(),
    closeConsult: async (id, by, at, note) =>
      db.update(consults).set({ status: 'closed', closedAt: at, closedBy: by, note }).where(and(eq(consults.id, id), eq(consults.status, 'open'))).run().changes === 1,
    openConsultCount: async () => db.select({ n: sql<number>`count(*)` }).from(consults).where(eq(consults.status, 'open')).get()?.n ?? 0,

    knowledgeEntries: async () => db.select().from(knowledgeEntries).orderBy(asc(knowledgeEntries.id)).all(),
    knowledgeEntry: async (id) => knowledgeEntry(id),
    async knowledgeStamp() {
      const row = knowledgeStamp.get();
      return `${row?.count ?? 0}:${row?.latest ?? 0}`;
    },
    async upsertKnowledgeFromFile(row) {
      const existing = knowledgeEntry(row.id);
      if (existing?.source === 'staff') return false;
      if (existing && sameKnowledge(existing, row)) return false;
      db.insert(knowledgeEntries)
        .values({ ...row, source: 'file', updatedBy: null })
        .onConflictDoUpdate({ target: knowledgeEntries.id, set: { question: row.question, variants: row.variants, keywords: row.keywords, answer: row.answer, updatedAt: row.updatedAt } })
        .run();
      return true;
    },
    async putKnowledge(row) {
      const existed = knowledgeEntry(row.id) !== null;
      db.insert(knowledgeEntries)
        .values({ ...row, source: 'staff' })
        .onConflictDoUpdate({
          target: knowledgeEntries.id,
          set: { question: row.question, variants: row.variants, keywords: row.keywords, answer: row.answer, source: 'staff', updatedAt: row.updatedAt, updatedBy: row.updatedBy },
        })
        .run();
      return existed ? 'updated' : 'created';
    },
  };
}
