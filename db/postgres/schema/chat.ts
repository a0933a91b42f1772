// The chatbot's conversations, messages, consults and knowledge base (PostgreSQL; the same tables as
// db/schema/chat.ts, where the columns are described).
import { pgTable, text, integer, jsonb, bigserial, bigint, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { chatChannels, chatDirections, consultStatuses, knowledgeSources } from '../../schema/chat.ts';
import { ms } from './columns.ts';

export const chatConversations = pgTable(
  'chat_conversations',
  {
    id: text('id').primaryKey(),
    channel: text('channel', { enum: chatChannels }).notNull(),
    address: text('address').notNull(),
    state: jsonb('state'),
    stateExpiresAt: ms('state_expires_at'),
    bindFailures: integer('bind_failures').notNull().default(0),
    bindLockedUntil: ms('bind_locked_until'),
    sessionAccountNo: text('session_account_no'),
    sessionUntil: ms('session_until'),
    createdAt: ms('created_at').notNull(),
    lastMessageAt: ms('last_message_at').notNull(),
  },
  (t) => [uniqueIndex('chat_conversations_address_idx').on(t.channel, t.address)],
);

export const chatMessages = pgTable(
  'chat_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: text('conversation_id').notNull(),
    direction: text('direction', { enum: chatDirections }).notNull(),
    text: text('text').notNull(),
    intent: text('intent'),
    providerMessageId: text('provider_message_id'),
    replyTo: bigint('reply_to', { mode: 'number' }),
    at: ms('at').notNull(),
  },
  (t) => [index('chat_messages_conversation_idx').on(t.conversationId, t.id), index('chat_messages_provider_idx').on(t.providerMessageId)],
);

export const consults = pgTable(
  'consults',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id').notNull(),
    channel: text('channel', { enum: chatChannels }).notNull(),
    address: text('address').notNull(),
    accountNo: text('account_no'),
    applicationNo: text('application_no'),
    teamId: text('team_id'),
    text: text('text').notNull(),
    status: text('status', { enum: consultStatuses }).notNull(),
    createdAt: ms('created_at').notNull(),
    closedAt: ms('closed_at'),
    closedBy: text('closed_by'),
    note: text('note'),
  },
  (t) => [index('consults_team_idx').on(t.teamId, t.status), index('consults_conversation_idx').on(t.conversationId, t.status)],
);

export const knowledgeEntries = pgTable('knowledge_entries', {
  id: text('id').primaryKey(),
  question: text('question').notNull(),
  variants: jsonb('variants').$type<string[]>().notNull(),
  keywords: jsonb('keywords').$type<string[]>().notNull(),
  answer: text('answer').notNull(),
  source: text('source', { enum: knowledgeSources }).notNull(),
  updatedAt: ms('updated_at').notNull(),
  updatedBy: text('updated_by'),
});
