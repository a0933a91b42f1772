// Alerts in the order they were committed, by any connection to the file: what `server/time-limits/alert-feed.ts` reads to
// push live the alerts another process (`sla:sweep` beside the server) raised.
import { asc, sql } from 'drizzle-orm';
import type { Database_ } from '../client.ts';
import { alerts } from '../schema/index.ts';
import type { Alert } from '../../server/time-limits/alert-store.ts';

/**
 * An alert's place in commit order is its rowid: SQLite lets one writer commit at a time and gives a new row the
 * table's largest rowid plus one, so a row committed later always has a larger rowid than every row committed before
 * it. That holds while no alert is ever deleted (none is: an alert is the record of a step's timeliness); deleting the
 * newest rows would let their rowids be handed out again.
 */
export interface SequencedAlert {
  seq: number;
  alert: Alert;
}

export function createCommittedAlerts(database: Database_) {
  const rowid = sql<number>`${alerts}.rowid`;
  const after = database.db
    .select({ seq: rowid, alert: alerts })
    .from(alerts)
    .where(sql`${rowid} > ${sql.placeholder('seq')}`)
    .orderBy(asc(rowid))
    .limit(sql.placeholder('limit'))
    .prepare();
  const last = database.db.select({ seq: sql<number | null>`max(${rowid})` }).from(alerts).prepare();
  const dataVersion = database.sqlite.prepare('PRAGMA data_version').pluck();

  return {
    /** The largest alert rowid committed (0 for none): a seek to the end of the table's b-tree. */
    lastSeq: (): number => last.get()?.seq ?? 0,
    /** Alerts committed after `seq`, in commit order: a range read of the table's rowid b-tree. */
    after: (seq: number, limit: number): SequencedAlert[] => after.all({ seq, limit }),
    /**
     * This connection's `PRAGMA data_version`: it changes when another connection commits to the file, never for this
     * connection's own commits, and reads no page of the database.
     */
    dataVersion: (): number => dataVersion.get() as number,
  };
}

export type CommittedAlerts = ReturnType<typeof createCommittedAlerts>;
