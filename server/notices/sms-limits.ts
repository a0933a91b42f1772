// The carrier's per-number limits (domain/sms-limits.ts) over the outbox: how long an SMS row must wait before it goes.
import { limitLookbackMs, smsLimitWaitMs, type SmsLimits, type SmsMessage } from '../domain/sms-limits.ts';
import type { DeliveryQueue, QueuedNotice } from './delivery-queue.ts';

/** The template a notice goes out as through a template SMS provider (its code and filled-in text), or null. */
export type TemplateOf = (notice: { kind: string; variables: Record<string, unknown> }) => { templateId: string; text: string } | null;

/**
 * For the dispatcher: 0 when `row` may go now, else ms to wait; `alsoGoing` are rows picked in the same turn.
 * With `templateOf` (Aliyun, Tencent) the limits count what the carrier is sent: the same template code, and the
 * same code with the same filled-in text as the same content.
 */
export function createSmsLimitCheck(queue: Pick<DeliveryQueue, 'recentTo'>, limits: SmsLimits, templateOf: TemplateOf | null = null) {
  const lookback = limitLookbackMs(limits);
  const asSent = (row: { noticeKind: string; text: string; variables: unknown }): SmsMessage => {
    const template = templateOf?.({ kind: row.noticeKind, variables: (row.variables ?? {}) as Record<string, unknown> }) ?? null;
    return template ? { noticeKind: row.noticeKind, template: template.templateId, text: `${template.templateId}\n${template.text}` } : { noticeKind: row.noticeKind, text: row.text };
  };
  return async (row: QueuedNotice, alsoGoing: readonly QueuedNotice[], now: number): Promise<number> => {
    if (row.channel !== 'sms' || lookback === 0) return 0;
    const recent = (await queue.recentTo('sms', row.address, now - lookback)).map((sent) => ({ at: sent.at, ...asSent(sent) }));
    for (const other of alsoGoing) if (other.channel === 'sms' && other.address === row.address) recent.push({ at: now, ...asSent(other) });
    return smsLimitWaitMs(limits, asSent(row), recent, now);
  };
}
