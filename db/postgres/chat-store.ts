// The chatbot's store (server/chat/chat-store.ts) on PostgreSQL: the same questions as db/sqlite/chat-store.ts.
// Consult numbering takes a transaction-scoped advisory lock, so two consults opened at once on two instances never
// get the same reference, and a conversation's open consult is looked for under it, so one conversation opens one.
import { and, asc, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { applications, chatConversations, chatMessages, consults, knowledgeEntries } from './schema/index.ts';
import type { StaffScope } from '../../server/staff/staff-accounts.ts';
import { sameKnowledge, type ChatStore, type KnowledgeRow } from '../../server/chat/chat-store.ts';

/** the advisory lock key of consult numbering (the bytes of "jdconsno") */
export const CONSULT_NUMBERING_LOCK_KEY = 0x6a64636f6e736e6fn;

export function createPostgresChatStore(db: PgExecutor): ChatStore {
  function consultScope(scope: StaffScope): SQL | undefined {
    if (scope.role === 'admin') return undefined;
    // Consults of senders without a bound account have no team: every team lead sees them.
    return or(eq(consults.teamId, scope.teamId), isNull(consults.teamId));
  }
  const first = <T>(rows: T[]): T | null => rows[0] ?? null;
  const knowledgeEntry = async (id: string): Promise<KnowledgeRow | null> => first(await db.select().from(knowledgeEntries).where(eq(knowledgeEntries.id, id)));

  return {
    conversation: async (channel, address) =>
      first(await db.select().from(chatConversations).where(and(eq(chatConversations.channel, channel), eq(chatConversations.address, address)))),
    async openConversation(conversation) {
      await db.insert(chatConversations).values({ ...conversation, lastMessageAt: conversation.createdAt }).onConflictDoNothing();
      const [made] = await db.select().from(chatConversations).where(and(eq(chatConversations.channel, conversation.channel), eq(chatConversations.address, conversation.address)));
      return made!;
    },
    async saveConversation(row) {
      const { id: _id, channel: _channel, address: _address, createdAt: _createdAt, ...changed } = row;
      await db.insert(chatConversations).values(row).onConflictDoUpdate({ target: chatConversations.id, set: changed });
    },
    async redelivered(channel, providerMessageId) {
      const inbound = first(
        await db
          .select({ id: chatMessages.id, intent: chatMessages.intent })
          .from(chatMessages)
          .innerJoin(chatConversations, eq(chatConversations.id, chatMessages.conversationId))
          .where(and(eq(chatMessages.providerMessageId, providerMessageId), eq(chatConversations.channel, channel), eq(chatMessages.direction, 'in')))
          .orderBy(asc(chatMessages.id))
          .limit(1),
      );
      if (!inbound) return null;
      const replies = await db.select({ text: chatMessages.text }).from(chatMessages).where(eq(chatMessages.replyTo, inbound.id)).orderBy(asc(chatMessages.id));
      return { intent: inbound.intent, replies: replies.map((r) => r.text) };
    },
    insertMessage: async (message) =>
      (await db.insert(chatMessages).values({ intent: null, providerMessageId: null, replyTo: null, ...message }).returning({ id: chatMessages.id }))[0]!.id,
    messagesOf: async (conversationId) => db.select().from(chatMessages).where(eq(chatMessages.conversationId, conversationId)).orderBy(asc(chatMessages.id)),
    recentInbound: async (conversationId, limit) =>
      (
        await db
          .select({ text: chatMessages.text, at: chatMessages.at })
          .from(chatMessages)
          .where(and(eq(chatMessages.conversationId, conversationId), eq(chatMessages.direction, 'in')))
          .orderBy(desc(chatMessages.id))
          .limit(limit)
      ).reverse(),

    applicationNosOfAccount: async (accountNo) =>
      (
        await db
          .select({ applicationNo: applications.applicationNo })
          .from(applications)
          .where(eq(applications.accountNo, accountNo))
          .orderBy(desc(applications.acceptedAt), desc(applications.applicationNo))
      ).map((r) => r.applicationNo),
    applicationNosByPhone: async (accountNo, phone) =>
      (
        await db
          .select({ applicationNo: applications.applicationNo })
          .from(applications)
          .where(and(eq(applications.accountNo, accountNo), eq(applications.phone, phone)))
          .orderBy(desc(applications.acceptedAt), desc(applications.applicationNo))
      ).map((r) => r.applicationNo),

    async countConsultsSince(from) {
      await db.execute(sql`SELECT pg_advisory_xact_lock(${CONSULT_NUMBERING_LOCK_KEY.toString()}::bigint)`);
      return (await db.select({ n: sql<number>`count(*)::int` }).from(consults).where(sql`${consults.createdAt} >= ${from}`))[0]?.n ?? 0;
    },
    async insertConsult(consult) {
      await db.insert(consults).values({ ...consult, status: 'open' });
    },
    consult: async (id) => first(await db.select().from(consults).where(eq(consults.id, id))),
    openConsultOf: async (conversationId) =>
      first(
        await db
          .select()
          .from(consults)
          .where(and(eq(consults.conversationId, conversationId), eq(consults.status, 'open')))
          .orderBy(desc(consults.createdAt), desc(consults.id))
          .limit(1),
      ),
    consultQueue: async (scope, closedSince) =>
      db
        .select()
        .from(consults)
        .where(and(consultScope(scope), or(eq(consults.status, 'open'), sql`${consults.closedAt} >= ${closedSince}`)))
        .orderBy(sql`${consults.status} = 'closed'`, asc(consults.createdAt), asc(consults.id)),
    closeConsult: async (id, by, at, note) =>
      (
        await db
          .update(consults)
          .set({ status: 'closed', closedAt: at, closedBy: by, note })
          .where(and(eq(consults.id, id), eq(consults.status, 'open')))
          .returning({ id: consults.id })
      ).length === 1,
    openConsultCount: async () => (await db.select({ n: sql<number>`count(*)::int` }).from(consults).where(eq(consults.status, 'open')))[0]?.n ?? 0,

    knowledgeEntries: async () => db.select().from(knowledgeEntries).orderBy(asc(knowledgeEntries.id)),
    knowledgeEntry,
    async knowledgeStamp() {
      const row = first(await db.select({ count: sql<number>`count(*)::int`, latest: sql<string | null>`max(${knowledgeEntries.updatedAt})::text` }).from(knowledgeEntries));
      return `${row?.count ?? 0}:${row?.latest ?? 0}`;
    },
    async upsertKnowledgeFromFile(row) {
      const existing = await knowledgeEntry(row.id);
      if (existing?.source === 'staff') return false;
      if (existing && sameKnowledge(existing, row)) return false;
      // a staff edit made meanwhile on another instance is not overwritten
      const written = await db
        .insert(knowledgeEntries)
        .values({ ...row, source: 'file', updatedBy: null })
        .onConflictDoUpdate({
          target: knowledgeEntries.id,
          set: { question: row.question, variants: row.variants, keywords: row.keywords, answer: row.answer, updatedAt: row.updatedAt },
          setWhere: sql`${knowledgeEntries.source} = 'file'`,
        })
        .returning({ id: knowledgeEntries.id });
      return written.length === 1;
    },
    async putKnowledge(row) {
      const existed = (await knowledgeEntry(row.id)) !== null;
      await db
        .insert(knowledgeEntries)
        .values({ ...row, source: 'staff' })
        .onConflictDoUpdate({
          target: knowledgeEntries.id,
          set: { question: row.question, variants: row.variants, keywords: row.keywords, answer: row.answer, source: 'staff', updatedAt: row.updatedAt, updatedBy: row.updatedBy },
        });
      return existed ? 'updated' : 'created';
    },
  };
}
