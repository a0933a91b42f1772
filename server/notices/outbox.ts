// The notice writer's store port: the outbox as the notices module and the inbound channels write and read it (rows
// written inside the transaction of the fact they tell, delivery reports, the customer's opt-outs, what staff see).
// The dispatcher's side is DeliveryQueue (delivery-queue.ts). Its methods return Promises so a second database can
// implement it.
import type { ChannelKind, MessageContent } from '../../channels/channel.ts';

/** `superseded`: made obsolete by a later fact before it was sent (its step completed, a newer plan), never sent. */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'failed' | 'dead' | 'superseded';

/** One notice to one recipient on one channel (the columns are described in db/schema/notifications.ts). */
export interface OutboxRow {
  id: string;
  applicationNo: string | null;
  recipientKind: 'customer' | 'handler';
  /** handler id for handler notices, account number for customer notices */
  recipientRef: string | null;
  /** one of channelKinds; an older database may hold a name this version no longer has */
  channel: ChannelKind;
  address: string;
  noticeKind: string;
  variables: unknown;
  text: string;
  content: MessageContent | null;
  segments: number;
  urgent: boolean;
  /** 0: the priority lane, 1: the notices queued */
  lane: number;
  /** what the notice tells, for superseding (`plan`, `step:<code>`); null for notices nothing makes obsolete */
  topic: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  provider: string | null;
  providerId: string | null;
  createdAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  updatedAt: number;
  claimedAt: number | null;
  inDoubtSince: number | null;
}

/** A row as it is written: pending, no attempt yet. */
export type NewOutboxRow = Pick<
  OutboxRow,
  'id' | 'applicationNo' | 'recipientKind' | 'recipientRef' | 'channel' | 'address' | 'noticeKind' | 'variables' | 'text' | 'segments' | 'urgent' | 'nextAttemptAt' | 'createdAt'
> &
  Partial<Pick<OutboxRow, 'content' | 'lane' | 'topic'>>;

/** What a provider's delivery report changes on a row. */
export type DeliveryReportFields = Pick<OutboxRow, 'status' | 'deliveredAt' | 'lastError' | 'updatedAt'>;

export interface Outbox {
  insert(row: NewOutboxRow): Promise<void>;
  /** A notice that could not be rendered: kept as a failed row, never sent, so staff see what was not said. */
  insertUnrendered(row: NewOutboxRow, lastError: string): Promise<void>;
  /** Inserts a row whose id says what it answers (a provider's inbound message); false when it was there already. */
  insertOnce(row: NewOutboxRow): Promise<boolean>;
  /**
   * Marks the application's customer rows not yet sent on these topics superseded (all topics when null), so they
   * are never sent; returns them, oldest first.
   */
  supersede(applicationNo: string, topics: string[] | null, now: number, reason: string): Promise<OutboxRow[]>;
  /** Whether a notice of this kind about the application was sent (or is being sent) since `since`. */
  sentSince(applicationNo: string, noticeKind: string, since: number): Promise<boolean>;
  /**
   * Whether the application's customer has had (or will have) the fixed regulatory sentence: a plan notice, or a
   * step notice written with it, sent or on its way.
   */
  regulationCarried(applicationNo: string): Promise<boolean>;
  isOptedOut(channel: string, address: string): Promise<boolean>;
  /** why the address opted out (e.g. 'chat', 'wechat_oa:unsubscribe'), or null when it has not */
  optOutSource(channel: string, address: string): Promise<string | null>;
  /** The address gets nothing more on the channel; an earlier opt-out is kept as it was. */
  optOut(channel: string, address: string, at: number, source: string): Promise<void>;
  /** Binding is an explicit opt-in, following the Official Account again lifts an unfollow: the opt-out is gone. */
  clearOptOut(channel: string, address: string): Promise<number>;
  byId(id: string): Promise<OutboxRow | null>;
  /** the row a provider's message id (Twilio SID, Aliyun biz_id, WeChat msgid) was recorded on */
  byProviderId(providerId: string): Promise<OutboxRow | null>;
  /** A provider's delivery report moved the row. */
  recordReport(id: string, fields: DeliveryReportFields): Promise<void>;
  /** Newest first; rows written in the same millisecond (one transaction) in reverse order of writing. */
  ofApplication(applicationNo: string): Promise<OutboxRow[]>;
  /** Failed and dead rows of every application, newest first: what admins follow up. */
  failures(limit: number): Promise<OutboxRow[]>;
  /** How many rows each channel has in each status (metrics: pending + sending = depth). */
  countsByChannelAndStatus(): Promise<{ channel: string; status: OutboxStatus; count: number }[]>;
}
