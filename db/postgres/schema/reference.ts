// Teams and handlers, mirrored from the marketing system (PostgreSQL; the same tables as db/schema/reference.ts).
import { pgTable, text, index } from 'drizzle-orm/pg-core';
import { handlerRoles } from '../../schema/reference.ts';
import { ms } from './columns.ts';

export const teams = pgTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const handlers = pgTable(
  'handlers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    phone: text('phone').notNull(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id),
    role: text('role', { enum: handlerRoles }).notNull(),
    passwordHash: text('password_hash'),
    wecomUserId: text('wecom_user_id'),
    email: text('email'),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [index('handlers_team_idx').on(t.teamId)],
);
