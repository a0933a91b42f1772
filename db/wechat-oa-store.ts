// Queries over the Official Account's shared access token and the callbacks already handled.
import { eq } from 'drizzle-orm';
import type { Db } from './client.ts';
import { wechatOaCallbacks, wechatOaTokens } from './schema/index.ts';
import type { AccessTokenStore } from '../channels/wechat-oa/api.ts';

export function createWechatOaStore(db: Db, now: () => number) {
  const tokens: AccessTokenStore = {
    read(appId) {
      const row = db.select().from(wechatOaTokens).where(eq(wechatOaTokens.appId, appId)).get();
      return row ? { token: row.accessToken, expiresAt: row.expiresAt } : undefined;
    },
    write(appId, token, expiresAt) {
      const at = now();
      db.insert(wechatOaTokens)
        .values({ appId, accessToken: token, expiresAt, updatedAt: at })
        .onConflictDoUpdate({ target: wechatOaTokens.appId, set: { accessToken: token, expiresAt, updatedAt: at } })
        .run();
    },
  };
  return {
    tokens,
    /** the callback as handled before (a WeChat retry), or undefined */
    handled: (dedupeKey: string) => db.select().from(wechatOaCallbacks).where(eq(wechatOaCallbacks.dedupeKey, dedupeKey)).get(),
    /** records a callback as handled; false when it already was (run inside the transaction that acts on it) */
    markHandled(row: typeof wechatOaCallbacks.$inferInsert): boolean {
      return db.insert(wechatOaCallbacks).values(row).onConflictDoNothing().run().changes === 1;
    },
  };
}

export type WechatOaStore = ReturnType<typeof createWechatOaStore>;
