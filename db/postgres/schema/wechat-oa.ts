// The WeChat Official Account's shared state (PostgreSQL; the same tables as db/schema/wechat-oa.ts).
import { boolean, pgTable, text, index } from 'drizzle-orm/pg-core';
import { ms } from './columns.ts';

export const wechatOaTokens = pgTable('wechat_oa_tokens', {
  appId: text('app_id').primaryKey(),
  accessToken: text('access_token').notNull(),
  expiresAt: ms('expires_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const wechatOaCallbacks = pgTable(
  'wechat_oa_callbacks',
  {
    dedupeKey: text('dedupe_key').primaryKey(),
    openId: text('open_id').notNull(),
    receivedAt: ms('received_at').notNull(),
    passiveReply: text('passive_reply'),
    pending: boolean('pending').notNull().default(false),
  },
  (t) => [index('wechat_oa_callbacks_received_idx').on(t.receivedAt)],
);
