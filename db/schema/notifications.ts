// The outbox of notices, and the channel addresses customers bound or opted out.
import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';
import type { ChannelKind, MessageContent } from '../../channels/channel.ts';

/** `superseded`: made obsolete by a later fact before it was sent (its step completed, a newer plan), never sent. */
export const outboxStatuses = ['pending', 'sending', 'sent', 'delivered', 'failed', 'dead', 'superseded'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];
export const recipientKinds = ['customer', 'handler'] as const;

/**
 * One row per recipient and channel, written in the transaction of the event that causes it. The rendered text
 * and the template's kind and variables are both kept: providers that send approved template codes need the latter.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    applicationNo: text('application_no'),
    recipientKind: text('recipient_kind', { enum: recipientKinds }).notNull(),
    /** handler id for handler notices, account number for customer notices */
    recipientRef: text('recipient_ref'),
    /** one of channelKinds (channels/channel.ts); an older database may hold a name this version no longer has */
    channel: text('channel').$type<ChannelKind>().notNull(),
    address: text('address').notNull(),
    noticeKind: text('notice_kind').notNull(),
    variables: text('variables', { mode: 'json' }).notNull(),
    text: text('text').notNull(),
    /** what a channel carrying more than text sends besides it (an e-mail's subject, HTML, attachments); null for text channels */
    content: text('content', { mode: 'json' }).$type<MessageContent>(),
    segments: integer('segments').notNull(),
    urgent: integer('urgent', { mode: 'boolean' }).notNull(),
    /** 0: the priority lane (a binding code, a hurry's receipt and answer) goes ahead of 1, the notices queued */
    lane: integer('lane').notNull().default(1),
    /**
     * What the notice tells, for superseding: `plan`, `step:<code>`, `catch_up` (the one text after late facts);
     * null for notices nothing makes obsolete.
     */
    topic: text('topic'),
    status: text('status', { enum: outboxStatuses }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    provider: text('provider'),
    providerId: text('provider_id'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    deliveredAt: integer('delivered_at'),
    updatedAt: integer('updated_at').notNull(),
    /** when the latest attempt was claimed (epoch ms) */
    claimedAt: integer('claimed_at'),
    /**
     * The claim time of the earliest attempt whose outcome is unknown (the process died mid-send, the provider did
     * not answer, or answered with a server error): the provider may have the message. Before sending again the
     * dispatcher asks the provider whether it sent one since then (`Channel.findSent`). Null: no attempt in doubt.
     */
    inDoubtSince: integer('in_doubt_since'),
    /**
     * Several instances on one database (PostgreSQL): the instance whose claim the row is `sending` under, and when
     * that claim lapses unless the instance renews it. A lapsed claim is its dead instance's: the row goes back to
     * pending, in doubt. A single SQLite process leaves both null (at start, every row left `sending` is its own).
     */
    claimedBy: text('claimed_by'),
    claimExpiresAt: integer('claim_expires_at'),
  },
  (t) => [
    // created_at too: the dispatcher's ORDER BY next_attempt_at, created_at LIMIT n then reads n rows, not a whole batch
    index('outbox_due_idx').on(t.status, t.lane, t.nextAttemptAt, t.createdAt),
    // one address's texts about one application go out in order: the dispatcher looks for an earlier one unsent
    index('outbox_thread_idx').on(t.applicationNo, t.address, t.channel, t.status),
    index('outbox_provider_idx').on(t.providerId),
    index('outbox_application_idx').on(t.applicationNo, t.createdAt),
    // the per-number sending limits read an address's recent messages before each SMS
    index('outbox_address_idx').on(t.address, t.createdAt),
  ],
);

/** A WeChat contact or SMS number bound to an account (the chatbot binds; notices follow bindings). */
export const channelBindings = sqliteTable(
  'channel_bindings',
  {
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    accountNo: text('account_no').notNull(),
    verifiedAt: integer('verified_at').notNull(),
    /**
     * The applications of the account the binding covers (what the codes typed proved: a query code its own
     * applications, a binding code those with the phone it went to); the account's notices about other
     * applications do not go to this address. NULL: bound before scopes were kept, read as the applications with
     * the phone of the account's latest application (where a binding code went).
     */
    applicationNos: text('application_nos', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.address, t.accountNo] }), index('channel_bindings_account_idx').on(t.accountNo)],
);

/** An address that opted out (退订) gets nothing more on that channel. */
export const optOuts = sqliteTable(
  'opt_outs',
  {
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    optedOutAt: integer('opted_out_at').notNull(),
    source: text('source').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.address] })],
);

/**
 * A customer's mute (免打扰) of one application's notices: one address on a channel (`TD <申请编号>` by SMS, "这个申请不用
 * 再通知我了" in WeChat), or every address of the application (`*`/`*`: the kiosk's switch). Unmuting keeps the row
 * with `unmuted_at`, so staff see who muted what, and when.
 */
export const applicationMutes = sqliteTable(
  'application_mutes',
  {
    applicationNo: text('application_no').notNull(),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    /** where the customer said it: sms, wechat, kiosk or web */
    source: text('source').notNull(),
    mutedAt: integer('muted_at').notNull(),
    unmutedAt: integer('unmuted_at'),
  },
  (t) => [primaryKey({ columns: [t.applicationNo, t.channel, t.address] })],
);
