// The attempt limits' log (server/limits/attempt-log.ts) on PostgreSQL: every instance counts the same attempts.
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import type { AttemptLog } from '../../server/limits/attempt-log.ts';
import type { PgExecutor } from './client.ts';
import { limitAttempts } from './schema/index.ts';

export function createPostgresAttemptLog(db: PgExecutor): AttemptLog {
  return {
    async add(key, at, keepMs, tag = null) {
      // the key's attempts past keeping go as it tries again: the table holds only what some limit still counts
      await db.delete(limitAttempts).where(and(eq(limitAttempts.key, key), lt(limitAttempts.at, at - keepMs)));
      await db.insert(limitAttempts).values({ key, at, tag });
    },
    async since(key, from) {
      return db
        .select({ at: limitAttempts.at, tag: limitAttempts.tag })
        .from(limitAttempts)
        .where(and(eq(limitAttempts.key, key), gt(limitAttempts.at, from)))
        .orderBy(asc(limitAttempts.at), asc(limitAttempts.id));
    },
    async clear(key) {
      await db.delete(limitAttempts).where(eq(limitAttempts.key, key));
    },
    async forgetBefore(at) {
      await db.delete(limitAttempts).where(lt(limitAttempts.at, at));
    },
  };
}
