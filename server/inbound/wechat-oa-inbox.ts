// What the Official Account's callbacks mean to us: a text goes to the chat service (the OpenID is the address);
// following and unfollowing change whether notices may go; delivery results update the outbox. Each callback is
// acted on once: WeChat retries one it got no answer to within 5 seconds, and a retry is recognised by its MsgId
// (FromUserName + CreateTime for events), kept in the database so a restart in between changes nothing. A text is
// claimed before its chat turn runs: of two instances given it at once (a retry reaching the other one while the first
// is still answering), one runs the turn and the other waits for its answer and gives the same.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { CHAT_REPLY_KIND } from '../../channels/wechat-oa/channel.ts';
import type { WechatOaInbound } from '../../channels/wechat-oa/xml.ts';
import { followed } from '../domain/chat/replies.ts';
import type { ChatTurns } from '../chat/turn.ts';
import type { Clock } from '../shared/clock.ts';
import type { DeliveryStatus } from '../notices/delivery-status.ts';
import type { Stores, Transact } from '../stores.ts';

/** A passive reply's text may hold this many bytes (UTF-8); a longer answer goes as customer-service messages. */
export const PASSIVE_REPLY_MAX_BYTES = 2048;
/** The opt-out source of an unfollow: following again lifts it (an opt-out by 退订 stays). */
export const UNFOLLOW_SOURCE = 'wechat_oa:unsubscribe';
/** How long an instance given a text another is answering waits for that answer: within WeChat's 5 seconds. */
export const CLAIMED_ANSWER_WAIT_MS = 4_000;
/** A text's claim not answered after this long was left by an instance that died answering: a retry takes it over. */
export const CLAIM_STALE_MS = 30_000;

export interface WechatOaInboxOptions {
  clock: Clock;
  /** reads outside a transaction */
  stores: Pick<Stores, 'wechatOa'>;
  transact: Transact;
  chat: Pick<ChatTurns, 'handle'>;
  deliveryStatus: DeliveryStatus;
  wakeDispatcher: () => void;
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
}

export function dedupeKeyOf(message: WechatOaInbound): string {
  if (message.type === 'text') return `msg:${message.msgId}`;
  if (message.type === 'other' && message.msgId) return `msg:${message.msgId}`;
  const event = message.type === 'other' ? (message.event ?? message.msgType) : message.type;
  return `event:${message.openId}:${message.createTime}:${event}`;
}

export function createWechatOaInbox(options: WechatOaInboxOptions) {
  const { clock, stores, transact, chat, deliveryStatus, log } = options;

  /**
   * Records the callback (an event) as handled and runs `work` in the same unit of work; false when it was handled
   * before (by this instance or another: the record is what decides).
   */
  function once(message: WechatOaInbound, passiveReply: string | null, work: (stores: Stores) => Promise<void> = async () => {}): Promise<boolean> {
    return transact(async (within) => {
      const fresh = await within.wechatOa.markHandled({ dedupeKey: dedupeKeyOf(message), openId: message.openId, receivedAt: clock.now(), passiveReply });
      if (fresh) await work(within);
      return fresh;
    });
  }

  /** The answer another instance gives a text it claimed, once it has given it (null: `success`). */
  async function answerOfClaim(dedupeKey: string): Promise<string | null> {
    const giveUpAt = Date.now() + CLAIMED_ANSWER_WAIT_MS;
    for (;;) {
      const claimed = await stores.wechatOa.handled(dedupeKey);
      if (!claimed || !claimed.pending) return claimed?.passiveReply || null;
      // not answered in time: `success` here, and WeChat's next retry finds the answer
      if (Date.now() >= giveUpAt) return null;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * The chat's answer: passive when it fits one reply, else `success` now and customer-service messages after. The
   * text is claimed first, so only one instance runs its chat turn.
   */
  async function answerText(message: Extract<WechatOaInbound, { type: 'text' }>): Promise<string | null> {
    const dedupeKey = dedupeKeyOf(message);
    const claimedAt = clock.now();
    if (!(await stores.wechatOa.claim({ dedupeKey, openId: message.openId, receivedAt: claimedAt }, claimedAt - CLAIM_STALE_MS))) return answerOfClaim(dedupeKey);
    let result: Awaited<ReturnType<typeof chat.handle>>;
    try {
      result = await chat.handle({ channel: 'wechat_oa', address: message.openId, text: message.text, providerMessageId: message.msgId });
    } catch (error) {
      await stores.wechatOa.release(dedupeKey);
      throw error;
    }
    const joined = result.replies.join('\n\n');
    if (Buffer.byteLength(joined, 'utf8') <= PASSIVE_REPLY_MAX_BYTES) {
      await transact((within) => within.wechatOa.answer(dedupeKey, joined));
      return joined === '' ? null : joined;
    }
    const now = clock.now();
    await transact(async ({ wechatOa, outbox }) => {
      await wechatOa.answer(dedupeKey, null);
      for (const text of result.replies) {
        await outbox.insert({
          id: randomUUID(),
          applicationNo: null,
          recipientKind: 'customer',
          recipientRef: null,
          channel: 'wechat_oa',
          address: message.openId,
          noticeKind: CHAT_REPLY_KIND,
          variables: {},
          text,
          content: null,
          segments: 1,
          urgent: true,
          // the customer is waiting for this answer: the priority lane, ahead of queued notices
          lane: 0,
          nextAttemptAt: now,
          createdAt: now,
        });
      }
    });
    options.wakeDispatcher();
    return null;
  }

  return {
    /**
     * Acts on one callback and returns the passive reply's text, or null for a plain `success`. A callback seen
     * before gets the reply it got then, and nothing is done again.
     */
    async handle(message: WechatOaInbound): Promise<string | null> {
      const earlier = await stores.wechatOa.handled(dedupeKeyOf(message));
      if (earlier && !earlier.pending) return earlier.passiveReply;
      const now = clock.now();
      switch (message.type) {
        case 'text':
          return message.text.trim() === '' ? null : answerText(message);
        case 'subscribe':
          await once(message, followed, async ({ outbox }) => {
            if ((await outbox.optOutSource('wechat_oa', message.openId)) === UNFOLLOW_SOURCE) await outbox.clearOptOut('wechat_oa', message.openId);
          });
          return followed;
        case 'unsubscribe':
          await once(message, null, ({ outbox }) => outbox.optOut('wechat_oa', message.openId, now, UNFOLLOW_SOURCE));
          return null;
        case 'template_result': {
          // success | failed:user block | failed: system failed
          const status = message.status === 'success' ? 'delivered' : 'failed';
          const applied: { known: boolean; announce: () => void }[] = [];
          await once(message, null, async (within) => {
            applied.push(await deliveryStatus.recordWithin(within, { providerId: message.msgId, status, errorCode: status === 'failed' ? message.status : null, optedOut: message.status === 'failed:user block' }));
          });
          for (const { known, announce } of applied) {
            if (known) announce();
            else log.warn({ msgId: message.msgId }, 'WeChat template delivery result for a message we did not send');
          }
          return null;
        }
        case 'subscribe_results':
          const applied: { known: boolean; announce: () => void }[] = [];
          await once(message, null, async (within) => {
            for (const result of message.results) {
              const ok = result.errorCode === '0';
              applied.push(await deliveryStatus.recordWithin(within, { providerId: result.msgId, status: ok ? 'delivered' : 'failed', errorCode: ok ? null : result.errorCode, optedOut: result.errorCode === '43101' }));
            }
          });
          for (const { announce } of applied) announce();
          return null;
        case 'subscribe_choice':
          // A refusal is per template; a later send to it answers 43101 and opts the address out then.
          await once(message, null);
          if (message.refused.length > 0) log.info({ templates: message.refused }, 'a WeChat user refused subscription notices');
          return null;
        case 'other':
          await once(message, null);
          return null;
      }
    },
  };
}

export type WechatOaInbox = ReturnType<typeof createWechatOaInbox>;
