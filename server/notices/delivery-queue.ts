// The dispatcher's store port: the outbox as a queue of notices to deliver, and the opt-outs it must respect. Its
// methods return Promises so a second database can implement it (PostgreSQL, issue 14).
import type { ChannelKind } from '../../channels/channel.ts';
import type { OutboxRow } from './outbox.ts';

/** An outbox row as the dispatcher reads it. */
export type QueuedNotice = Pick<
  OutboxRow,
  'id' | 'applicationNo' | 'recipientKind' | 'channel' | 'address' | 'noticeKind' | 'variables' | 'text' | 'content' | 'segments' | 'urgent' | 'lane' | 'attempts' | 'inDoubtSince'
>;

/** What became of one send, recorded by the dispatcher. */
export type SendOutcome =
  | { id: string; status: 'sent' | 'delivered'; provider: string; providerId: string; at: number }
  | {
      id: string;
      status: 'pending' | 'failed' | 'dead';
      nextAttemptAt: number | null;
      lastError: string;
      at: number;
      /** the row's `inDoubtSince` after this attempt: set by an attempt whose outcome is unknown, else kept */
      inDoubtSince: number | null;
      /**
       * not counted as an attempt: it only asked the provider whether it had the message (it could not tell yet), or
       * a carrier limit put the message off
       */
      notCounted?: boolean;
    };

/**
 * A turn of the dispatcher: `due` reads candidates, the dispatcher decides which may go now (quiet hours, send
 * rates, carrier limits, opt-outs, mutes), `claim` takes those still pending (compare-and-set: another dispatcher on
 * the same database may take some first; PostgreSQL: `UPDATE … WHERE status = 'pending' RETURNING id`, or `due` as
 * `SELECT … FOR UPDATE SKIP LOCKED` inside the claim's transaction), and `recordOutcomes` records the sends of a
 * turn together.
 */
export interface DeliveryQueue {
  /**
   * Pending rows due at `now` on these channels, the priority lane first, then oldest due: a row waits while an
   * earlier one of its thread (application, channel, address) is unsent.
   */
  due(now: number, channels: readonly ChannelKind[], limit: number): Promise<QueuedNotice[]>;
  /**
   * Claims rows `due` gave for sending (status `sending`, one attempt more) in one transaction; returns the ids
   * claimed. A row no longer pending as it was read (another dispatcher claimed it, or sent it and put it back for a
   * retry or in doubt) is not claimed.
   */
  claim(rows: readonly QueuedNotice[], now: number): Promise<Set<string>>;
  /** Records what became of sends, in one transaction. */
  recordOutcomes(outcomes: readonly SendOutcome[]): Promise<void>;
  /** A pending row waits until `until` (quiet hours, a carrier's per-number limit), unclaimed. */
  putOff(id: string, until: number, now: number): Promise<void>;
  /** A pending row is never sent (`failed` with the reason): its address opted out, or the customer muted it. */
  refuse(id: string, reason: string, now: number): Promise<void>;
  /** The earliest time a pending row falls due; null when none is pending. */
  nextDueAt(): Promise<number | null>;
  /**
   * Rows a stopped process left `sending` go back to pending, in doubt since their claim: the provider may have
   * them already. Returns how many.
   */
  recoverSending(now: number): Promise<number>;
  isOptedOut(channel: ChannelKind, address: string): Promise<boolean>;
  /** The provider refused the address for good (STOP, unsubscribed); `source` says who, e.g. `twilio:21610`. */
  optOut(channel: ChannelKind, address: string, at: number, source: string): Promise<void>;
  /**
   * An address's messages on a channel that went, or are going, to the provider since `since` (per-number sending
   * limits): when each was handed over, its notice kind and text.
   */
  recentTo(channel: ChannelKind, address: string, since: number): Promise<{ at: number; noticeKind: string; text: string; variables: unknown }[]>;
}
