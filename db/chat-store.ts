// Queries of the chatbot: conversations and their messages, consults, knowledge entries.
import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import {
  applications,
  chatConversations,
  chatMessages,
  consults,
  knowledgeEntries,
  type ChatChannelKind,
} from './schema/index.ts';
import type { StaffScope } from './staff-store.ts';

export type ConversationRow = typeof chatConversations.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;
export type ConsultRow = typeof consults.$inferSelect;
export type KnowledgeRow = typeof knowledgeEntries.$inferSelect;

const p = sql.placeholder;

/**
 * What `chat_conversations.state` holds: the dialogue state (expiring at `state_expires_at`) and, for a kiosk/web
 * session, the applications the session has proved for its account (the ones whose query code was typed, or those
 * with the phone the binding code went to). An SMS number's or WeChat contact's scope is its bindings'
 * (`channel_bindings.application_nos`), not kept here. Rows without a scope hold the bare dialogue state.
 */
export interface StoredChatState<Dialogue> {
  dialogue: Dialogue | null;
  /** account number → the application numbers it is bound for */
  scopes: Record<string, string[]>;
}

export function readChatState<Dialogue>(raw: unknown): StoredChatState<Dialogue> {
  if (raw !== null && typeof raw === 'object' && 'scopes' in raw && !('kind' in raw)) {
    const { dialogue, scopes } = raw as { dialogue?: Dialogue | null; scopes?: Record<string, string[]> };
    return { dialogue: dialogue ?? null, scopes: scopes ?? {} };
  }
  return { dialogue: (raw ?? null) as Dialogue | null, scopes: {} };
}

/** The column's value: the bare dialogue state while no scope is kept (as before), else both. */
export function chatStateColumn<Dialogue>(state: StoredChatState<Dialogue>): unknown {
  return Object.keys(state.scopes).length === 0 ? state.dialogue : { dialogue: state.dialogue, scopes: state.scopes };
}

export function createChatStore(db: Db) {
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

  return {
    conversation: (channel: ChatChannelKind, address: string): ConversationRow | undefined => conversationByAddress.get({ channel, address }),
    /** Inserts or updates the whole conversation row. */
    saveConversation: (row: ConversationRow) => saveConversation.run({ ...row, state: row.state === null ? null : JSON.stringify(row.state) }),

    /** The inbound message a provider already delivered once, with the replies it got. */
    redelivered(channel: ChatChannelKind, providerMessageId: string): { intent: string | null; replies: string[] } | null {
      const inbound = inboundByProviderId.get({ channel, providerMessageId });
      if (!inbound) return null;
      return { intent: inbound.intent, replies: repliesTo.all({ id: inbound.id }).map((r) => r.text) };
    },
    insertMessage(row: Omit<typeof chatMessages.$inferInsert, 'id'>): number {
      return insertMessage.get({ intent: null, providerMessageId: null, replyTo: null, ...row })!.id;
    },
    messagesOf: (conversationId: string) =>
      db.select().from(chatMessages).where(eq(chatMessages.conversationId, conversationId)).orderBy(asc(chatMessages.id)).all(),
    recentInbound: (conversationId: string, limit: number) =>
      db
        .select({ text: chatMessages.text, at: chatMessages.at })
        .from(chatMessages)
        .where(and(eq(chatMessages.conversationId, conversationId), eq(chatMessages.direction, 'in')))
        .orderBy(desc(chatMessages.id))
        .limit(limit)
        .all()
        .reverse(),

    /** newest first */
    applicationNosOfAccount: (accountNo: string) => applicationNosOfAccount.all({ accountNo }).map((r) => r.applicationNo),
    /** the account's applications registered with that phone, newest first */
    applicationNosByPhone: (accountNo: string, phone: string) => applicationNosByPhone.all({ accountNo, phone }).map((r) => r.applicationNo),

    insertConsult: (row: typeof consults.$inferInsert) => db.insert(consults).values(row).run(),
    consult: (id: string) => db.select().from(consults).where(eq(consults.id, id)).get(),
    openConsultOf: (conversationId: string) =>
      db.select().from(consults).where(and(eq(consults.conversationId, conversationId), eq(consults.status, 'open'))).orderBy(desc(consults.createdAt)).get(),
    countConsultsSince: (from: number) => db.select({ n: sql<number>`count(*)` }).from(consults).where(sql`${consults.createdAt} >= ${from}`).get()?.n ?? 0,
    /** Open consults first, oldest first; closed ones since `closedSince` after them. */
    consultQueue(scope: StaffScope, closedSince: number): ConsultRow[] {
      return db
        .select()
        .from(consults)
        .where(and(consultScope(scope), or(eq(consults.status, 'open'), sql`${consults.closedAt} >= ${closedSince}`)))
        .orderBy(sql`${consults.status} = 'closed'`, asc(consults.createdAt))
        .all();
    },
    closeConsult: (id: string, by: string, at: number, note: string | null) =>
      db.update(consults).set({ status: 'closed', closedAt: at, closedBy: by, note }).where(and(eq(consults.id, id), eq(consults.status, 'open'))).run().changes === 1,
    openConsultCount: () => db.select({ n: sql<number>`count(*)` }).from(consults).where(eq(consults.status, 'open')).get()?.n ?? 0,

    knowledgeEntries: () => db.select().from(knowledgeEntries).orderBy(asc(knowledgeEntries.id)).all(),
    knowledgeEntry: (id: string) => db.select().from(knowledgeEntries).where(eq(knowledgeEntries.id, id)).get(),
    /** count and latest change: cheap to compare before each retrieval, so an edit made by another instance is seen */
    knowledgeStamp(): string {
      const row = knowledgeStamp.get();
      return `${row?.count ?? 0}:${row?.latest ?? 0}`;
    },
    /** Upserts a row from the data file, unless staff have edited that entry. Returns whether it changed anything. */
    upsertKnowledgeFromFile(row: Omit<KnowledgeRow, 'source' | 'updatedBy'>): boolean {
      const existing = db.select().from(knowledgeEntries).where(eq(knowledgeEntries.id, row.id)).get();
      if (existing?.source === 'staff') return false;
      if (
        existing &&
        existing.question === row.question &&
        existing.answer === row.answer &&
        JSON.stringify(existing.variants) === JSON.stringify(row.variants) &&
        JSON.stringify(existing.keywords) === JSON.stringify(row.keywords)
      ) {
        return false;
      }
      db.insert(knowledgeEntries)
        .values({ ...row, source: 'file', updatedBy: null })
        .onConflictDoUpdate({ target: knowledgeEntries.id, set: { question: row.question, variants: row.variants, keywords: row.keywords, answer: row.answer, updatedAt: row.updatedAt } })
        .run();
      return true;
    },
    putKnowledge(row: Omit<KnowledgeRow, 'source'>): 'created' | 'updated' {
      const existed = db.select({ id: knowledgeEntries.id }).from(knowledgeEntries).where(eq(knowledgeEntries.id, row.id)).get() !== undefined;
      db.insert(knowledgeEntries)
        .values({ ...row, source: 'staff' })
        .onConflictDoUpdate({
          target: knowledgeEntries.id,
          set: { question: row.question, variants: row.variants, keywords: row.keywords, answer: row.answer, source: 'staff', updatedAt: row.updatedAt, updatedBy: row.updatedBy },
        })
        .run();
      return existed ? 'updated' : 'created';
    },
    conversationsByIds: (ids: string[]) => (ids.length === 0 ? [] : db.select().from(chatConversations).where(inArray(chatConversations.id, ids)).all()),
  };
}

export type ChatStore = ReturnType<typeof createChatStore>;
