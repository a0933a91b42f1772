// Pushes live the alerts other processes commit to the database (`sla:sweep` beside the server), each once: this
// process's own sweep publishes its alerts at once, so the feed passes over the rows it raised.
import type { Stores, Transact } from '../stores.ts';
import type { CommittedAlerts } from '../../db/sqlite/committed-alerts.ts';
import type { AlertService } from './alerts.ts';
import { yieldToEventLoop } from '../event-loop.ts';

/** How often the feed asks SQLite whether another connection committed: one `PRAGMA data_version`, no page read. */
export const ALERT_FEED_INTERVAL_MS = 1000;
/** Rows read per statement; the feed yields to the event loop between pages, so a large foreign sweep is no stall. */
const PAGE = 100;

export interface AlertFeedOptions {
  transact: Transact;
  committed: CommittedAlerts;
  alerts: AlertService;
}

export function createAlertFeed(options: AlertFeedOptions) {
  const { transact, committed, alerts } = options;
  // What other connections had committed before this process started is old news: staff load it with the queue.
  let version = committed.dataVersion();
  /** every alert with a rowid up to here is published (or was not this feed's to publish) */
  let mark = committed.lastSeq();
  /**
   * Rowid ranges (from, to] of alerts this process raised and published itself, ascending and above `mark`: each is
   * what one of its transactions inserted while it held SQLite's only write lock, so no other connection's row is in it.
   */
  const own: [from: number, to: number][] = [];
  let running: Promise<number> | null = null;

  const isOwn = (seq: number) => {
    while (own.length > 0 && own[0]![1] < seq) own.shift();
    return own.length > 0 && own[0]![0] < seq;
  };

  async function readSinceMark(): Promise<number> {
    let published = 0;
    for (;;) {
      const rows = committed.after(mark, PAGE);
      for (const { seq, alert } of rows) {
        // an alert recorded after the fact (`live` false) notifies nobody, as in this process
        if (!isOwn(seq) && alert.live) {
          await alerts.publish(alert);
          published++;
        }
        mark = seq;
      }
      if (rows.length < PAGE) return published;
      await yieldToEventLoop();
    }
  }

  async function catchUpOnce(): Promise<number> {
    const seen = committed.dataVersion();
    if (seen === version) {
      // No other connection committed since the last look, which read everything committed before it: every alert
      // above the mark is this process's own (published at once, or recorded after the fact and never published).
      const last = own.at(-1);
      if (last) mark = Math.max(mark, last[1]);
      own.length = 0;
      return 0;
    }
    const published = await readSinceMark();
    // Only now: a read that failed half-way is retried on the next look instead of being taken as done.
    version = seen;
    return published;
  }

  return {
    /**
     * Runs `work` in one transaction, as the SLA sweep raises and publishes its alerts: the rows it inserts are
     * recorded as this process's own once it commits, so the feed never publishes them a second time.
     */
    async transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
      let pushed: [number, number] | null = null;
      const unpush = () => {
        const at = pushed ? own.indexOf(pushed) : -1;
        if (at >= 0) own.splice(at, 1);
        pushed = null;
      };
      try {
        return await transact(async (stores) => {
          unpush(); // a try the unit of work rolled back and runs again
          const from = committed.lastSeq();
          const value = await work(stores);
          const to = committed.lastSeq();
          // before the commit, so no catch-up passes between it and the caller; a rolled-back insert's rowid may be
          // handed out again, so a range is taken back when its transaction fails
          if (to > from) own.push((pushed = [from, to]));
          return value;
        });
      } catch (error) {
        unpush();
        throw error;
      }
    },

    /** Publishes the live alerts other connections committed since the last look; resolves to how many. */
    catchUp(): Promise<number> {
      running ??= catchUpOnce().finally(() => {
        running = null;
      });
      return running;
    },
  };
}

export type AlertFeed = ReturnType<typeof createAlertFeed>;

/** Where every instance publishes its own alerts through the shared hub (PostgreSQL): nothing to catch up. */
export function sharedHubAlertFeed(transact: Transact): AlertFeed {
  return { transaction: (work) => transact(work), catchUp: async () => 0 };
}
