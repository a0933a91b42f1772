// The outbox of notices, channel bindings, opt-outs and mutes (PostgreSQL; the same tables as
// db/schema/notifications.ts, where the columns are described).
import { pgTable, text, integer, bigserial, boolean, jsonb, index, primaryKey } from 'drizzle-orm/pg-core';
import type { ChannelKind, MessageContent } from '../../../channels/channel.ts';
import { outboxStatuses, recipientKinds } from '../../schema/notifications.ts';
import { ms } from './columns.ts';

export const outbox = pgTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    applicationNo: text('application_no'),
    recipientKind: text('recipient_kind', { enum: recipientKinds }).notNull(),
    recipientRef: text('recipient_ref'),
    channel: text('channel').$type<ChannelKind>().notNull(),
    address: text('address').notNull(),
    noticeKind: text('notice_kind').notNull(),
    variables: jsonb('variables').notNull(),
    text: text('text').notNull(),
    content: jsonb('content').$type<MessageContent>(),
    segments: integer('segments').notNull(),
    urgent: boolean('urgent').notNull(),
    lane: integer('lane').notNull().default(1),
    topic: text('topic'),
    status: text('status', { enum: outboxStatuses }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    lastError: text('last_error'),
    provider: text('provider'),
    providerId: text('provider_id'),
    createdAt: ms('created_at').notNull(),
    sentAt: ms('sent_at'),
    deliveredAt: ms('delivered_at'),
    updatedAt: ms('updated_at').notNull(),
    claimedAt: ms('claimed_at'),
    inDoubtSince: ms('in_doubt_since'),
    claimedBy: text('claimed_by'),
    claimExpiresAt: ms('claim_expires_at'),
    /** the order of writing (SQLite's rowid; ids are random UUIDs): a thread's texts go out in this order */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('outbox_due_idx').on(t.status, t.lane, t.nextAttemptAt, t.createdAt),
    index('outbox_thread_idx').on(t.applicationNo, t.address, t.channel, t.status),
    index('outbox_provider_idx').on(t.providerId),
    index('outbox_application_idx').on(t.applicationNo, t.createdAt),
    index('outbox_address_idx').on(t.address, t.createdAt),
  ],
);

export const channelBindings = pgTable(
  'channel_bindings',
  {
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    accountNo: text('account_no').notNull(),
    verifiedAt: ms('verified_at').notNull(),
    applicationNos: jsonb('application_nos').$type<string[]>(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.address, t.accountNo] }), index('channel_bindings_account_idx').on(t.accountNo)],
);

export const optOuts = pgTable(
  'opt_outs',
  {
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    optedOutAt: ms('opted_out_at').notNull(),
    source: text('source').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.address] })],
);

export const applicationMutes = pgTable(
  'application_mutes',
  {
    applicationNo: text('application_no').notNull(),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    source: text('source').notNull(),
    mutedAt: ms('muted_at').notNull(),
    unmutedAt: ms('unmuted_at'),
  },
  (t) => [primaryKey({ columns: [t.applicationNo, t.channel, t.address] })],
);
