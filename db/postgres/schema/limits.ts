// PostgreSQL only: the attempt limits' log (server/limits/attempt-log.ts), shared by every instance. A single
// SQLite process counts in its memory.
import { bigserial, index, pgTable, text } from 'drizzle-orm/pg-core';
import { ms } from './columns.ts';

export const limitAttempts = pgTable(
  'limit_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** the limit's name and the key it counts, e.g. `query_code/pair:["5300123456","10.0.0.9"]` */
    key: text('key').notNull(),
    at: ms('at').notNull(),
    /** the client address of a wrong guess, counted per subject */
    tag: text('tag'),
  },
  (t) => [index('limit_attempts_key_at').on(t.key, t.at)],
);
