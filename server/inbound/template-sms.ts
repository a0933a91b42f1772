// What template SMS providers (Aliyun, Tencent Cloud) report back, in our words: status reports update the outbox
// row they are about, and a customer's SMS goes to the chat, whose answer goes back as a template SMS.
import { normalizeSmsAddress, type InboundSms, type SmsReceipt } from '../../channels/sms-inbound.ts';
import type { SendResult } from '../../channels/channel.ts';
import { smsReplyText } from '../domain/chat/replies.ts';
import { CHAT_REPLY_NOTICE_KIND } from '../domain/sms-template-maps.ts';
import { smsSegments } from '../domain/sms-segments.ts';
import type { ChatTurns } from '../chat/turn.ts';
import type { Clock } from '../shared/clock.ts';
import type { DeliveryStatus } from '../notices/delivery-status.ts';
import type { Stores, Transact } from '../stores.ts';
import type { SmsReceiptStore } from './sms-receipt-store.ts';

export interface TemplateSmsOptions {
  clock: Clock;
  /** reads outside a transaction */
  stores: Pick<Stores, 'outbox'>;
  transact: Transact;
  deliveryStatus: DeliveryStatus;
  chat: Pick<ChatTurns, 'handleSms'>;
  smsSignature: string;
  wakeDispatcher: () => void;
}

/** A report already received for an outbox id, as the send's result (Tencent's findSent asks this first). */
export function receiptLookup(receipts: Pick<SmsReceiptStore, 'byOutboxId'>) {
  return async (provider: string, outboxId: string): Promise<SendResult | null> => {
    const row = await receipts.byOutboxId(provider, outboxId);
    return row ? { providerId: row.providerId, status: row.status === 'delivered' ? 'delivered' : 'sent' } : null;
  };
}

/** The outbox id of the answer to one inbound message: the same message answered twice is one row. */
export const replyOutboxId = (provider: string, messageId: string) => `sms-reply:${provider}:${messageId}`;

export function createTemplateSms({ clock, stores, transact, deliveryStatus, chat, smsSignature, wakeDispatcher }: TemplateSmsOptions) {
  return {
    /** Keeps each report once (by provider id and phone) and applies the new ones; returns how many were new. */
    async recordReceipts(provider: string, reports: SmsReceipt[]): Promise<{ recorded: number; repeated: number }> {
      const now = clock.now();
      const { recorded, announcements } = await transact(async (within) => {
        let recorded = 0;
        const announcements: (() => void)[] = [];
        for (const report of reports) {
          const phone = normalizeSmsAddress(report.phone);
          const status = report.delivered ? 'delivered' : 'failed';
          if (!(await within.smsReceipts.insert({ provider, providerId: report.providerId, phone, outboxId: report.outboxId, status, errorCode: report.errorCode, receivedAt: now }))) continue;
          recorded += 1;
          const applied = await deliveryStatus.recordWithin(within, { providerId: report.providerId, outboxId: report.outboxId, status, errorCode: report.errorCode, optedOut: report.optedOut });
          announcements.push(applied.announce);
        }
        return { recorded, announcements };
      });
      for (const announce of announcements) announce();
      return { recorded, repeated: reports.length - recorded };
    },

    /**
     * The chat answers the customer's message; the answer is queued as one template SMS whose outbox id is made of
     * the provider's message id, so a redelivered message is neither a second turn nor a second SMS.
     */
    async answer(provider: string, sms: InboundSms): Promise<{ repeated: boolean }> {
      const id = replyOutboxId(provider, sms.providerMessageId);
      const answered = (await stores.outbox.byId(id)) !== null;
      if (sms.text.trim() === '' || answered) return { repeated: answered };
      const result = await chat.handleSms({ ...sms, providerMessageId: `${provider}:${sms.providerMessageId}` });
      const text = smsReplyText(result.replies, smsSignature);
      if (text === null) return { repeated: false };
      const now = clock.now();
      const template = result.template ?? { template: 'fallback', variables: {} };
      const inserted = await transact(({ outbox }) =>
        outbox.insertOnce({
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
        }),
      );
      if (inserted) wakeDispatcher();
      return { repeated: !inserted };
    },
  };
}

export type TemplateSms = ReturnType<typeof createTemplateSms>;
