// The Official Account's shared state (server/inbound/wechat-oa-store.ts) on SQLite: wechat_oa_tokens and
// wechat_oa_callbacks.
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { wechatOaCallbacks, wechatOaTokens } from '../schema/index.ts';
import type { WechatOaStore } from '../../server/inbound/wechat-oa-store.ts';

export function createSqliteWechatOaStore(db: Db): WechatOaStore {
  return {
    async accessToken(appId) {
      const row = db.select().from(wechatOaTokens).where(eq(wechatOaTokens.appId, appId)).get();
      return row ? { token: row.accessToken, expiresAt: row.expiresAt } : null;
    },
    async saveAccessToken(appId, { token, expiresAt }, at) {
      db.insert(wechatOaTokens)
        .values({ appId, accessToken: token, expiresAt, updatedAt: at })
        .onConflictDoUpdate({ target: wechatOaTokens.appId, set: { accessToken: token, expiresAt, updatedAt: at } })
        .run();
    },
    handled: async (dedupeKey) => db.select().from(wechatOaCallbacks).where(eq(wechatOaCallbacks.dedupeKey, dedupeKey)).get() ?? null,
    markHandled: async (callback) => db.insert(wechatOaCallbacks).values(callback).onConflictDoNothing().run().changes === 1,
    claim: async (callback, staleBefore) =>
      db
        .insert(wechatOaCallbacks)
        .values({ ...callback, passiveReply: null, pending: true })
        .onConflictDoUpdate({
          target: wechatOaCallbacks.dedupeKey,
          set: { openId: callback.openId, receivedAt: callback.receivedAt },
          setWhere: and(eq(wechatOaCallbacks.pending, true), lt(wechatOaCallbacks.receivedAt, staleBefore)),
        })
        .run().changes === 1,
    async answer(dedupeKey, passiveReply) {
      db.update(wechatOaCallbacks).set({ passiveReply, pending: false }).where(eq(wechatOaCallbacks.dedupeKey, dedupeKey)).run();
    },
    async release(dedupeKey) {
      db.delete(wechatOaCallbacks).where(and(eq(wechatOaCallbacks.dedupeKey, dedupeKey), eq(wechatOaCallbacks.pending, true))).run();
    },
  };
}
