// The Official Account's shared state (server/inbound/wechat-oa-store.ts) on PostgreSQL. A callback's dedupe key is
// the primary key: of two instances handling a WeChat retry at once, the second's insert waits for the first's
// transaction and then does nothing (ON CONFLICT DO NOTHING), so the callback is acted on once; a text's claim is
// committed before its chat turn, so the second instance finds it and waits for the answer instead.
import { and, eq, lt } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { wechatOaCallbacks, wechatOaTokens } from './schema/index.ts';
import type { WechatOaStore } from '../../server/inbound/wechat-oa-store.ts';

export function createPostgresWechatOaStore(db: PgExecutor): WechatOaStore {
  return {
    async accessToken(appId) {
      const [row] = await db.select().from(wechatOaTokens).where(eq(wechatOaTokens.appId, appId));
      return row ? { token: row.accessToken, expiresAt: row.expiresAt } : null;
    },
    async saveAccessToken(appId, { token, expiresAt }, at) {
      await db
        .insert(wechatOaTokens)
        .values({ appId, accessToken: token, expiresAt, updatedAt: at })
        .onConflictDoUpdate({ target: wechatOaTokens.appId, set: { accessToken: token, expiresAt, updatedAt: at } });
    },
    async handled(dedupeKey) {
      const [row] = await db.select().from(wechatOaCallbacks).where(eq(wechatOaCallbacks.dedupeKey, dedupeKey));
      return row ?? null;
    },
    async markHandled(callback) {
      const kept = await db.insert(wechatOaCallbacks).values(callback).onConflictDoNothing().returning({ dedupeKey: wechatOaCallbacks.dedupeKey });
      return kept.length === 1;
    },
    async claim(callback, staleBefore) {
      const kept = await db
        .insert(wechatOaCallbacks)
        .values({ ...callback, passiveReply: null, pending: true })
        .onConflictDoUpdate({
          target: wechatOaCallbacks.dedupeKey,
          set: { openId: callback.openId, receivedAt: callback.receivedAt },
          setWhere: and(eq(wechatOaCallbacks.pending, true), lt(wechatOaCallbacks.receivedAt, staleBefore)),
        })
        .returning({ dedupeKey: wechatOaCallbacks.dedupeKey });
      return kept.length === 1;
    },
    async answer(dedupeKey, passiveReply) {
      await db.update(wechatOaCallbacks).set({ passiveReply, pending: false }).where(eq(wechatOaCallbacks.dedupeKey, dedupeKey));
    },
    async release(dedupeKey) {
      await db.delete(wechatOaCallbacks).where(and(eq(wechatOaCallbacks.dedupeKey, dedupeKey), eq(wechatOaCallbacks.pending, true)));
    },
  };
}
