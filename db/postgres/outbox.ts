// The notice writer's outbox (server/notices/outbox.ts) on PostgreSQL: the same questions as db/outbox-store.ts.
// Ids are random: rows of one millisecond come in the order they were written by seq (a serial, as SQLite's rowid),
// whichever instance wrote them.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { optOuts, outbox } from './schema/index.ts';
import type { NewOutboxRow, Outbox, OutboxRow, OutboxStatus } from '../../server/notices/outbox.ts';

const handedOver = ['sending', 'sent', 'delivered'] as const;
const notDropped = ['pending', 'sending', 'sent', 'delivered'] as const;

const pending = (row: NewOutboxRow) => ({ ...row, lane: row.lane ?? 1, topic: row.topic ?? null, status: 'pending' as const, attempts: 0, updatedAt: row.createdAt });
const first = (rows: OutboxRow[]) => rows[0] ?? null;

export function createPostgresOutbox(db: PgExecutor): Outbox {
  const optOutOf = (channel: string, address: string) => and(eq(optOuts.channel, channel), eq(optOuts.address, address));
  return {
    async insert(row) {
      await db.insert(outbox).values(pending(row));
    },
    async insertUnrendered(row, lastError) {
      await db.insert(outbox).values({ ...pending(row), status: 'failed', lastError });
    },
    async insertOnce(row) {
      const kept = await db.insert(outbox).values(pending(row)).onConflictDoNothing().returning({ id: outbox.id });
      return kept.length > 0;
    },
    async supersede(applicationNo, topics, now, reason) {
      const rows = await db
        .update(outbox)
        .set({ status: 'superseded', lastError: reason, updatedAt: now })
        .where(
          and(
            eq(outbox.applicationNo, applicationNo),
            eq(outbox.recipientKind, 'customer'),
            eq(outbox.status, 'pending'),
            topics === null ? sql`${outbox.topic} IS NOT NULL` : topics.length === 0 ? sql`false` : inArray(outbox.topic, topics),
          ),
        )
        .returning();
      return rows.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
    },
    async sentSince(applicationNo, noticeKind, since) {
      const rows = await db
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.applicationNo, applicationNo), eq(outbox.noticeKind, noticeKind), inArray(outbox.status, [...handedOver]), sql`coalesce(${outbox.sentAt}, ${outbox.updatedAt}) >= ${since}`))
        .limit(1);
      return rows.length > 0;
    },
    async regulationCarried(applicationNo) {
      const rows = await db
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          and(
            eq(outbox.applicationNo, applicationNo),
            eq(outbox.recipientKind, 'customer'),
            inArray(outbox.status, [...notDropped]),
            sql`(${outbox.noticeKind} = 'plan_created' OR ${outbox.variables} ->> 'includeRegulation' = 'true')`,
          ),
        )
        .limit(1);
      return rows.length > 0;
    },
    async isOptedOut(channel, address) {
      return (await db.select({ at: optOuts.optedOutAt }).from(optOuts).where(optOutOf(channel, address))).length > 0;
    },
    async optOutSource(channel, address) {
      const [row] = await db.select({ source: optOuts.source }).from(optOuts).where(optOutOf(channel, address));
      return row?.source ?? null;
    },
    async optOut(channel, address, at, source) {
      await db.insert(optOuts).values({ channel, address, optedOutAt: at, source }).onConflictDoNothing();
    },
    async clearOptOut(channel, address) {
      return (await db.delete(optOuts).where(optOutOf(channel, address)).returning({ channel: optOuts.channel })).length;
    },
    byId: async (id) => first(await db.select().from(outbox).where(eq(outbox.id, id))),
    byProviderId: async (providerId) => first(await db.select().from(outbox).where(eq(outbox.providerId, providerId)).limit(1)),
    async recordReport(id, fields) {
      await db.update(outbox).set(fields).where(eq(outbox.id, id));
    },
    ofApplication: async (applicationNo) => db.select().from(outbox).where(eq(outbox.applicationNo, applicationNo)).orderBy(desc(outbox.createdAt), desc(outbox.seq)),
    failures: async (limit) =>
      db
        .select()
        .from(outbox)
        .where(inArray(outbox.status, ['failed', 'dead']))
        .orderBy(desc(outbox.updatedAt), desc(outbox.seq))
        .limit(limit),
    async countsByChannelAndStatus() {
      const rows = await db
        .select({ channel: outbox.channel, status: outbox.status, count: sql<number>`count(*)::int` })
        .from(outbox)
        .groupBy(outbox.channel, outbox.status);
      return rows as { channel: string; status: OutboxStatus; count: number }[];
    },
  };
}
