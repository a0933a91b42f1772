// Queries over the outbox and opt-outs.
import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { ChannelKind } from '../channels/channel.ts';
import type { SendOutcome } from '../server/notices/delivery-queue.ts';
import type { Db } from './client.ts';
import { optOuts, outbox, type OutboxStatus } from './schema/index.ts';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;

const p = sql.placeholder;

/** Every placeholder of the insert gets a value: the row's, or the column's default. */
const withDefaults = (row: Omit<NewOutboxRow, 'status' | 'attempts' | 'updatedAt'>) => ({ ...row, content: row.content ?? null, lane: row.lane ?? 1, topic: row.topic ?? null });

export function createOutboxStore(db: Db) {
  const insert = db.insert(outbox).values({
    id: p('id'),
    applicationNo: p('applicationNo'),
    recipientKind: p('recipientKind'),
    recipientRef: p('recipientRef'),
    channel: p('channel'),
    address: p('address'),
    noticeKind: p('noticeKind'),
    variables: p('variables'),
    text: p('text'),
    content: p('content'),
    segments: p('segments'),
    urgent: p('urgent'),
    lane: p('lane'),
    topic: p('topic'),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: p('nextAttemptAt'),
    createdAt: p('createdAt'),
    updatedAt: p('createdAt'),
  }).prepare();
  const optedOut = db
    .select({ at: optOuts.optedOutAt })
    .from(optOuts)
    .where(and(eq(optOuts.channel, p('channel')), eq(optOuts.address, p('address'))))
    .prepare();
  // The dispatcher's statements run for every notice: prepared once, not rebuilt by the query builder each time.
  const dueByChannels = new Map<string, { all(values: { now: number; limit: number }): OutboxRow[] }>();
  const nextDue = db
    .select({ at: sql<number | null>`min(${outbox.nextAttemptAt})` })
    .from(outbox)
    .where(eq(outbox.status, 'pending'))
    .prepare();
  const claimOne = db
    .update(outbox)
    .set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, claimedAt: sql`${p('now')}`, updatedAt: sql`${p('now')}` })
    .where(and(eq(outbox.id, p('id')), eq(outbox.status, 'pending')))
    .prepare();
  // A status report may come while the send is still waiting for its answer (Aliyun and Tencent report by the
  // outbox id they were given): the send's 'sent' then never overwrites the report's 'delivered' or 'failed'.
  const reported = sql`${outbox.status} IN ('delivered', 'failed')`;
  const recordSent = db
    .update(outbox)
    .set({
      status: sql`CASE WHEN ${reported} THEN ${outbox.status} ELSE ${p('status')} END`,
      provider: sql`${p('provider')}`,
      providerId: sql`${p('providerId')}`,
      sentAt: sql`${p('at')}`,
      deliveredAt: sql`coalesce(${outbox.deliveredAt}, ${p('deliveredAt')})`,
      lastError: sql`CASE WHEN ${reported} THEN ${outbox.lastError} ELSE NULL END`,
      updatedAt: sql`${p('at')}`,
    })
    .where(eq(outbox.id, p('id')))
    .prepare();
  const recordFailure = db
    .update(outbox)
    .set({
      status: sql`${p('status')}`,
      nextAttemptAt: sql`coalesce(${p('nextAttemptAt')}, ${outbox.nextAttemptAt})`,
      lastError: sql`${p('lastError')}`,
      inDoubtSince: sql`${p('inDoubtSince')}`,
      attempts: sql`${outbox.attempts} - ${p('givenBack')}`,
      updatedAt: sql`${p('at')}`,
    })
    .where(eq(outbox.id, p('id')))
    .prepare();

  // Texts to one address about one application go out in the order they were written (the order of the facts that
  // caused them): a row waits while an earlier one of the same thread is unsent. The priority lane neither waits nor
  // holds others up. rowid is the order of writing (ids are random UUIDs).
  const inTurn = sql`(${outbox.lane} = 0 OR ${outbox.applicationNo} IS NULL OR NOT EXISTS (
    SELECT 1 FROM outbox AS earlier
    WHERE earlier.application_no = ${outbox.applicationNo} AND earlier.address = ${outbox.address}
      AND earlier.channel = ${outbox.channel} AND earlier.status IN ('pending', 'sending') AND earlier.lane = 1
      AND earlier.rowid < outbox.rowid))`;
  const unsentStatuses = ['pending', 'sending', 'sent', 'delivered'] as const;

  return {
    insert(row: Omit<NewOutboxRow, 'status' | 'attempts' | 'updatedAt'>): void {
      // The json and boolean columns map placeholder values themselves: stringifying here stored the variables
      // as a JSON string inside JSON, and readers got a string instead of the object.
      insert.run(withDefaults(row));
    },
    /**
     * Marks the application's customer rows not yet sent on these topics superseded (all topics when null), so they
     * are never sent; returns them, oldest first.
     */
    supersede(applicationNo: string, topics: string[] | null, now: number, reason: string): OutboxRow[] {
      const where = and(
        eq(outbox.applicationNo, applicationNo),
        eq(outbox.recipientKind, 'customer'),
        // `+` keeps SQLite on the application's index: on `status` (outbox_due_idx) it would walk every pending row
        // of every application, which made each step event of a busy outbox cost milliseconds
        sql`+${outbox.status} = 'pending'`,
        topics === null ? sql`${outbox.topic} IS NOT NULL` : topics.length === 0 ? sql`0` : inArray(outbox.topic, topics),
      );
      return db
        .update(outbox)
        .set({ status: 'superseded', lastError: reason, updatedAt: now })
        .where(where)
        .returning()
        .all()
        .sort((a, b) => a.createdAt - b.createdAt);
    },
    /** Whether a notice of this kind about the application was sent (or is being sent) since `since`. */
    sentSince(applicationNo: string, kind: string, since: number): boolean {
      return (
        db
          .select({ id: outbox.id })
          .from(outbox)
          .where(and(eq(outbox.applicationNo, applicationNo), eq(outbox.noticeKind, kind), inArray(outbox.status, ['sending', 'sent', 'delivered']), sql`coalesce(${outbox.sentAt}, ${outbox.updatedAt}) >= ${since}`))
          .limit(1)
          .get() !== undefined
      );
    },
    /**
     * Whether the application's customer has had (or will have) the fixed regulatory sentence: a plan notice, or a
     * step notice written with it, sent or on its way.
     */
    regulationCarried(applicationNo: string): boolean {
      return (
        db
          .select({ id: outbox.id })
          .from(outbox)
          .where(
            and(
              eq(outbox.applicationNo, applicationNo),
              eq(outbox.recipientKind, 'customer'),
              inArray(outbox.status, [...unsentStatuses]),
              sql`(${outbox.noticeKind} = 'plan_created' OR json_extract(${outbox.variables}, '$.includeRegulation') = 1)`,
            ),
          )
          .limit(1)
          .get() !== undefined
      );
    },
    /** A notice that could not be rendered: kept as a failed row, never sent, so staff see what was not said. */
    insertUnrendered(row: Omit<NewOutboxRow, 'status' | 'attempts' | 'updatedAt'>, lastError: string): void {
      insert.run(withDefaults(row));
      db.update(outbox).set({ status: 'failed', lastError }).where(eq(outbox.id, row.id)).run();
    },
    /** Failed and dead rows of every application, newest first: what admins follow up. */
    failures: (limit: number) =>
      db
        .select()
        .from(outbox)
        .where(inArray(outbox.status, ['failed', 'dead']))
        .orderBy(desc(outbox.updatedAt), desc(sql`rowid`))
        .limit(limit)
        .all(),
    /** Inserts a row whose id says what it answers (a provider's inbound message); false when it was there already. */
    insertOnce(row: Omit<NewOutboxRow, 'status' | 'attempts' | 'updatedAt'>): boolean {
      return db.insert(outbox).values({ ...row, status: 'pending', attempts: 0, updatedAt: row.createdAt }).onConflictDoNothing().run().changes > 0;
    },
    /**
     * An address's messages on a channel that went, or are going, to the provider since `since` (for per-number
     * sending limits): when each was handed over (sent, or claimed for a send in flight), its notice kind and text.
     */
    recentTo(channel: ChannelKind, address: string, since: number): { at: number; noticeKind: string; text: string; variables: unknown }[] {
      return db
        .select({ at: sql<number>`coalesce(${outbox.sentAt}, ${outbox.updatedAt})`, noticeKind: outbox.noticeKind, text: outbox.text, variables: outbox.variables })
        .from(outbox)
        .where(
          and(
            eq(outbox.address, address),
            eq(outbox.channel, channel),
            inArray(outbox.status, ['sending', 'sent', 'delivered']),
            sql`coalesce(${outbox.sentAt}, ${outbox.updatedAt}) >= ${since}`,
          ),
        )
        .all();
    },
    isOptedOut: (channel: string, address: string) => optedOut.get({ channel, address }) !== undefined,
    /** why the address opted out (e.g. 'chat', 'wechat_oa:unsubscribe'), or null when it has not */
    optOutSource: (channel: string, address: string): string | null =>
      db.select({ source: optOuts.source }).from(optOuts).where(and(eq(optOuts.channel, channel), eq(optOuts.address, address))).get()?.source ?? null,
    optOut(channel: string, address: string, at: number, source: string): void {
      db.insert(optOuts).values({ channel, address, optedOutAt: at, source }).onConflictDoNothing().run();
    },
    /** Binding is an explicit opt-in, following the Official Account again lifts an unfollow: the opt-out is gone. */
    clearOptOut: (channel: string, address: string) =>
      db.delete(optOuts).where(and(eq(optOuts.channel, channel), eq(optOuts.address, address))).run().changes,
    /** Rows due now on the given channels, oldest due first. */
    due(now: number, channels: readonly ChannelKind[], limit: number): OutboxRow[] {
      if (channels.length === 0) return [];
      const key = channels.join('\u0000');
      let statement = dueByChannels.get(key);
      if (!statement) {
        statement = db
          .select()
          .from(outbox)
          .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, p('now')), inArray(outbox.channel, [...channels]), inTurn))
          .orderBy(asc(outbox.lane), asc(outbox.nextAttemptAt), asc(outbox.createdAt))
          .limit(p('limit'))
          .prepare();
        dueByChannels.set(key, statement);
      }
      return statement.all({ now, limit });
    },
    nextDueAt(): number | null {
      return nextDue.get()?.at ?? null;
    },
    /** Claims pending rows for sending in one transaction; returns the ids claimed (another dispatcher may take some first). */
    claimAll(ids: readonly string[], now: number): Set<string> {
      const claimed = new Set<string>();
      if (ids.length === 0) return claimed;
      db.transaction(() => {
        for (const id of ids) if (claimOne.run({ id, now }).changes === 1) claimed.add(id);
      });
      return claimed;
    },
    /** Records what became of sends, in one transaction. */
    recordOutcomes(outcomes: readonly SendOutcome[]): void {
      if (outcomes.length === 0) return;
      db.transaction(() => {
        for (const o of outcomes) {
          if ('providerId' in o) {
            recordSent.run({ id: o.id, status: o.status, provider: o.provider, providerId: o.providerId, at: o.at, deliveredAt: o.status === 'delivered' ? o.at : null });
          } else {
            recordFailure.run({ id: o.id, status: o.status, nextAttemptAt: o.nextAttemptAt, lastError: o.lastError, inDoubtSince: o.inDoubtSince, givenBack: o.notCounted ? 1 : 0, at: o.at });
          }
        }
      });
    },
    update(id: string, fields: Partial<Pick<OutboxRow, 'status' | 'nextAttemptAt' | 'lastError' | 'provider' | 'providerId' | 'sentAt' | 'deliveredAt'>> & { updatedAt: number }): void {
      db.update(outbox).set(fields).where(eq(outbox.id, id)).run();
    },
    /**
     * Rows a stopped process left `sending` go back to pending, in doubt since their claim (rows claimed before the
     * claim time was kept: since their last update, which the claim wrote): the provider may have them already.
     */
    recoverSending(now: number): number {
      return db
        .update(outbox)
        .set({
          status: 'pending',
          nextAttemptAt: now,
          inDoubtSince: sql`coalesce(${outbox.inDoubtSince}, ${outbox.claimedAt}, ${outbox.updatedAt})`,
          updatedAt: now,
        })
        .where(eq(outbox.status, 'sending'))
        .run().changes;
    },
    byProviderId: (providerId: string) => db.select().from(outbox).where(eq(outbox.providerId, providerId)).get(),
    byId: (id: string) => db.select().from(outbox).where(eq(outbox.id, id)).get(),
    /** Newest first; rows written in the same millisecond (one transaction) in reverse order of writing. */
    ofApplication: (applicationNo: string) =>
      db
        .select()
        .from(outbox)
        .where(eq(outbox.applicationNo, applicationNo))
        // ids are random UUIDs: SQLite's rowid keeps the order of writing (a PostgreSQL schema would use a serial)
        .orderBy(desc(outbox.createdAt), desc(sql`rowid`))
        .all(),
    countsByChannelAndStatus: () =>
      db
        .select({ channel: outbox.channel, status: outbox.status, count: sql<number>`count(*)` })
        .from(outbox)
        .groupBy(outbox.channel, outbox.status)
        .all() as { channel: string; status: OutboxStatus; count: number }[],
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
