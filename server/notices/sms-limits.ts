// The carrier's per-number limits (domain/sms-limits.ts) over the outbox: how long an SMS row must wait before it goes.
import { limitLookbackMs, smsLimitWaitMs, type SmsLimits } from '../domain/sms-limits.ts';
import type { DeliveryQueue, QueuedNotice } from './delivery-queue.ts';

/** For the dispatcher: 0 when `row` may go now, else ms to wait; `alsoGoing` are rows picked in the same turn. */
export function createSmsLimitCheck(queue: Pick<DeliveryQueue, 'recentTo'>, limits: SmsLimits) {
  const lookback = limitLookbackMs(limits);
  return async (row: QueuedNotice, alsoGoing: readonly QueuedNotice[], now: number): Promise<number> => {
    if (row.channel !== 'sms' || lookback === 0) return 0;
    const recent = await queue.recentTo('sms', row.address, now - lookback);
    for (const other of alsoGoing) if (other.channel === 'sms' && other.address === row.address) recent.push({ at: now, noticeKind: other.noticeKind, text: other.text });
    return smsLimitWaitMs(limits, row, recent, now);
  };
}
