// What template SMS providers (Aliyun, Tencent Cloud) report back, in our words: status reports update the outbox
// row they are about, and a customer's SMS goes to the chat, whose answer goes back as a template SMS.
import type { OutboxStore } from '../../db/outbox-store.ts';
import type { SmsReceiptStore } from '../../db/sms-receipt-store.ts';
import { normalizeSmsAddress, type InboundSms, type SmsReceipt } from '../../channels/sms-inbound.ts';
import type { SendResult } from '../../channels/channel.ts';
import { smsReplyText } from '../domain/chat/replies.ts';
import { CHAT_REPLY_NOTICE_KIND } from '../domain/sms-template-maps.ts';
import { smsSegments } from '../domain/sms-segments.ts';
import type { ChatTurns } from '../chat/turn.ts';
import type { ServiceContext } from './context.ts';
import type { DeliveryStatus } from '../notices/delivery-status.ts';

export interface TemplateSmsOptions {
  ctx: ServiceContext;
  outbox: OutboxStore;
  receipts: SmsReceiptStore;
  deliveryStatus: DeliveryStatus;
  chat: Pick<ChatTurns, 'handleSms'>;
  smsSignature: string;
  wakeDispatcher: () => void;
}

/** A report already received for an outbox id, as the send's result (Tencent's findSent asks this first). */
export function receiptLookup(receipts: Pick<SmsReceiptStore, 'byOutboxId'>) {
  return (provider: string, outboxId: string): SendResult | null => {
    const row = receipts.byOutboxId(provider, outboxId);
    return row ? { providerId: row.providerId, status: row.status === 'delivered' ? 'delivered' : 'sent' } : null;
  };
}

/** The outbox id of the answer to one inbound message: the same message answered twice is one row. */
export const replyOutboxId = (provider: string, messageId: string) => `sms-reply:${provider}:${messageId}`;

export function createTemplateSms({ ctx, outbox, receipts, deliveryStatus, chat, smsSignature, wakeDispatcher }: TemplateSmsOptions) {
  return {
    /** Keeps each report once (by provider id and phone) and applies the new ones; returns how many were new. */
    recordReceipts(provider: string, reports: SmsReceipt[]): { recorded: number; repeated: number } {
      const now = ctx.clock.now();
      let recorded = 0;
      ctx.database.transaction(() => {
        for (const report of reports) {
          const phone = normalizeSmsAddress(report.phone);
          const status = report.delivered ? 'delivered' : 'failed';
          if (!receipts.insert({ provider, providerId: report.providerId, phone, outboxId: report.outboxId, status, errorCode: report.errorCode, receivedAt: now })) continue;
          recorded += 1;
          deliveryStatus.record({ providerId: report.providerId, outboxId: report.outboxId, status, errorCode: report.errorCode, optedOut: report.optedOut });
        }
      });
      return { recorded, repeated: reports.length - recorded };
    },

    /**
     * The chat answers the customer's message; the answer is queued as one template SMS whose outbox id is made of
     * the provider's message id, so a redelivered message is neither a second turn nor a second SMS.
     */
    async answer(provider: string, sms: InboundSms): Promise<{ repeated: boolean }> {
      const id = replyOutboxId(provider, sms.providerMessageId);
      if (sms.text.trim() === '' || outbox.byId(id)) return { repeated: outbox.byId(id) !== undefined };
      const result = await chat.handleSms({ ...sms, providerMessageId: `${provider}:${sms.providerMessageId}` });
      const text = smsReplyText(result.replies, smsSignature);
      if (text === null) return { repeated: false };
      const now = ctx.clock.now();
      const template = result.template ?? { template: 'fallback', variables: {} };
      const inserted = outbox.insertOnce({
        id,
        applicationNo: null,
        recipientKind: 'customer',
        recipientRef: null,
        channel: 'sms',
        address: normalizeSmsAddress(sms.from),
        noticeKind: CHAT_REPLY_NOTICE_KIND,
        variables: { template: template.template, ...template.variables },
        text,
        segments: smsSegments(text).segments,
        // the customer is waiting for it: not held by quiet hours
        urgent: true,
        nextAttemptAt: now,
        createdAt: now,
      });
      if (inserted) wakeDispatcher();
      return { repeated: !inserted };
    },
  };
}

export type TemplateSms = ReturnType<typeof createTemplateSms>;
