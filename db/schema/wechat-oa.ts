// The WeChat Official Account's shared state: its access token (every instance reads the one stored) and the
// callbacks already handled (WeChat retries a callback it got no answer to within 5 seconds).
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const wechatOaTokens = sqliteTable('wechat_oa_tokens', {
  appId: text('app_id').primaryKey(),
  accessToken: text('access_token').notNull(),
  /** epoch ms after which the token is not used (WeChat's expiry less a margin) */
  expiresAt: integer('expires_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const wechatOaCallbacks = sqliteTable(
  'wechat_oa_callbacks',
  {
    /** `msg:<MsgId>` for messages, `event:<FromUserName>:<CreateTime>:<Event>` for events */
    dedupeKey: text('dedupe_key').primaryKey(),
    openId: text('open_id').notNull(),
    receivedAt: integer('received_at').notNull(),
    /** the passive reply's text when the answer was passive (a retry gets the same), null when it went afterwards */
    passiveReply: text('passive_reply'),
    /** claimed by the instance answering it (a text's chat turn), not answered yet */
    pending: integer('pending', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('wechat_oa_callbacks_received_idx').on(t.receivedAt)],
);
