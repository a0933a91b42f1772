// PostgreSQL only: what several instances share and a single SQLite process keeps in memory.
import { pgTable, text, bigserial } from 'drizzle-orm/pg-core';
import { ms } from './columns.ts';

/** A live update too long for a NOTIFY payload, read by id by the other instances (server/realtime/postgres-hub.ts). */
export const realtimeMessages = pgTable('realtime_messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  topic: text('topic').notNull(),
  message: text('message').notNull(),
  createdAt: ms('created_at').notNull(),
});
