// Queries over alerts.
import { and, asc, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import { alerts } from './schema/index.ts';
import type { StaffScope } from './staff-store.ts';

export type AlertRow = typeof alerts.$inferSelect;

export function createAlertStore(db: Db) {
  function scope(who: StaffScope): SQL | undefined {
    if (who.role === 'admin') return undefined;
    if (who.role === 'team_lead') return eq(alerts.teamId, who.teamId);
    return eq(alerts.handlerId, who.handlerId);
  }
  return {
    /** false when an alert of that level already exists for the step occurrence */
    insert: (row: typeof alerts.$inferInsert) => db.insert(alerts).values(row).onConflictDoNothing().run().changes === 1,
    byId: (id: string) => db.select().from(alerts).where(eq(alerts.id, id)).get(),
    update: (id: string, fields: Partial<typeof alerts.$inferInsert>) => db.update(alerts).set(fields).where(eq(alerts.id, id)).run(),
    /**
     * The queue: live alerts not yet closed. An overdue alert stays until explained; a warning leaves when
     * its step is done (the caller passes the open step occurrences' test) or is explained.
     */
    queue: (who: StaffScope) =>
      db
        .select()
        .from(alerts)
        .where(and(scope(who), eq(alerts.live, true), isNull(alerts.explainedAt)))
        .orderBy(sql`${alerts.level} = 'warning'`, asc(alerts.raisedAt))
        .all(),
    ofApplication: (applicationNo: string) =>
      db.select().from(alerts).where(eq(alerts.applicationNo, applicationNo)).orderBy(desc(alerts.raisedAt)).all(),
    /** Alerts whose SMS is due (raised in or released into working time) and not yet sent. */
    dueForNotice: (now: number) =>
      db.select().from(alerts).where(and(isNull(alerts.notifiedAt), eq(alerts.live, true), sql`${alerts.notifyAt} <= ${now}`)).all(),
    openCount: () =>
      db.select({ level: alerts.level, n: sql<number>`count(*)` }).from(alerts).where(and(eq(alerts.live, true), isNull(alerts.explainedAt))).groupBy(alerts.level).all(),
    inRange: (from: number, to: number) =>
      db.select().from(alerts).where(or(and(sql`${alerts.raisedAt} >= ${from}`, sql`${alerts.raisedAt} < ${to}`))).all(),
  };
}

export type AlertStore = ReturnType<typeof createAlertStore>;
