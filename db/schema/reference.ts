// Teams and handlers, mirrored from the marketing system.
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const handlerRoles = ['handler', 'team_lead', 'admin'] as const;
export type HandlerRole = (typeof handlerRoles)[number];

export const teams = sqliteTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const handlers = sqliteTable(
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
    /** the WeCom (企业微信) member id hurries, overdue alerts and the digest also go to; null: SMS only */
    wecomUserId: text('wecom_user_id'),
    /** where a team lead's weekly digest is e-mailed; null: no e-mail */
    email: text('email'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('handlers_team_idx').on(t.teamId)],
);
