// The chatbot: one conversation per channel and address with its messages, consults for a person, the knowledge base.
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const chatChannels = ['sms', 'wechat', 'wechat_oa', 'kiosk', 'web'] as const;
export type ChatChannelKind = (typeof chatChannels)[number];

/**
 * One record per channel and address (an SMS number, a WeChat contact id, a kiosk/web session id), however many
 * messages: the dialogue state, the binding lock, and for kiosk/web sessions the account proved in the session.
 */
export const chatConversations = sqliteTable(
  'chat_conversations',
  {
    id: text('id').primaryKey(),
    channel: text('channel', { enum: chatChannels }).notNull(),
    address: text('address').notNull(),
    /** the dialogue state (awaiting a code, a menu shown, a choice offered) as JSON; null when idle */
    state: text('state', { mode: 'json' }),
    stateExpiresAt: integer('state_expires_at'),
    /** wrong binding codes since the last success or lock */
    bindFailures: integer('bind_failures').notNull().default(0),
    bindLockedUntil: integer('bind_locked_until'),
    /** kiosk/web: the account proved in this session (sessions are not notice addresses, so no channel_bindings row) */
    sessionAccountNo: text('session_account_no'),
    sessionUntil: integer('session_until'),
    createdAt: integer('created_at').notNull(),
    lastMessageAt: integer('last_message_at').notNull(),
  },
  (t) => [uniqueIndex('chat_conversations_address_idx').on(t.channel, t.address)],
);

export const chatDirections = ['in', 'out'] as const;

/** Every inbound message and every reply, in order. Codes and query codes are stored masked. */
export const chatMessages = sqliteTable(
  'chat_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    conversationId: text('conversation_id').notNull(),
    direction: text('direction', { enum: chatDirections }).notNull(),
    text: text('text').notNull(),
    /** inbound: what was understood */
    intent: text('intent'),
    /** inbound: the provider's id (Twilio MessageSid, WeChat message id), so a redelivery is answered the same way */
    providerMessageId: text('provider_message_id'),
    /** outbound: the inbound message it answers */
    replyTo: integer('reply_to'),
    at: integer('at').notNull(),
  },
  (t) => [index('chat_messages_conversation_idx').on(t.conversationId, t.id), index('chat_messages_provider_idx').on(t.providerMessageId)],
);

export const consultStatuses = ['open', 'closed'] as const;

/** A customer asked for a person (转人工): an item in the team lead's queue. */
export const consults = sqliteTable(
  'consults',
  {
    /** also the reference the customer is given, e.g. ZX2611240003 */
    id: text('id').primaryKey(),
    conversationId: text('conversation_id').notNull(),
    channel: text('channel', { enum: chatChannels }).notNull(),
    address: text('address').notNull(),
    accountNo: text('account_no'),
    applicationNo: text('application_no'),
    /** the team of the application's handler; null for a sender without a bound account (every team lead sees it) */
    teamId: text('team_id'),
    /** the customer's recent messages, newest last */
    text: text('text').notNull(),
    status: text('status', { enum: consultStatuses }).notNull(),
    createdAt: integer('created_at').notNull(),
    closedAt: integer('closed_at'),
    closedBy: text('closed_by'),
    note: text('note'),
  },
  (t) => [index('consults_team_idx').on(t.teamId, t.status), index('consults_conversation_idx').on(t.conversationId, t.status)],
);

export const knowledgeSources = ['file', 'staff'] as const;

/** 服务征询知识库. Rows from catalog/knowledge-base.json are refreshed at start until staff edit them. */
export const knowledgeEntries = sqliteTable('knowledge_entries', {
  id: text('id').primaryKey(),
  question: text('question').notNull(),
  variants: text('variants', { mode: 'json' }).$type<string[]>().notNull(),
  keywords: text('keywords', { mode: 'json' }).$type<string[]>().notNull(),
  answer: text('answer').notNull(),
  source: text('source', { enum: knowledgeSources }).notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** the handler id of the staff member who last edited it */
  updatedBy: text('updated_by'),
});
