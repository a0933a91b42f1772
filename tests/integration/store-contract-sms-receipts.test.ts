// The SMS status report store port's contract, run against every implementation: SQLite and PostgreSQL give the same
// answers over the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsReceipt, SmsReceiptStore } from '../../server/inbound/sms-receipt-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

const receipt = (over: Partial<SmsReceipt> = {}): SmsReceipt => ({
  provider: 'aliyun',
  providerId: 'BIZ-1',
  phone: '13800001111',
  outboxId: 'row-1',
  status: 'delivered',
  errorCode: null,
  receivedAt: 100,
  ...over,
});

describe.each(storeImplementations)('SMS status reports on $name', (implementation) => {
  let receipts: SmsReceiptStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open();
    receipts = opened.stores.smsReceipts;
    close = opened.close;
  });
  afterAll(() => close());

  it('keeps a report once per provider, message and phone', async () => {
    expect(await receipts.insert(receipt())).toBe(true);
    expect(await receipts.insert(receipt({ status: 'failed', errorCode: 'UNDELIV', receivedAt: 200 }))).toBe(false);
    // the same message id to another phone, or from another provider, is another report
    expect(await receipts.insert(receipt({ phone: '13800002222', outboxId: 'row-2' }))).toBe(true);
    expect(await receipts.insert(receipt({ provider: 'tencent', outboxId: 'row-3' }))).toBe(true);
    expect(await receipts.byOutboxId('aliyun', 'row-1')).toEqual(receipt());
  });

  it('finds the latest report naming an outbox id, of that provider only', async () => {
    await receipts.insert(receipt({ provider: 'tencent', providerId: 'SID-1', outboxId: 'row-9', status: 'failed', errorCode: 'E1', receivedAt: 300 }));
    await receipts.insert(receipt({ provider: 'tencent', providerId: 'SID-2', outboxId: 'row-9', status: 'delivered', receivedAt: 400 }));
    expect(await receipts.byOutboxId('tencent', 'row-9')).toEqual(receipt({ provider: 'tencent', providerId: 'SID-2', outboxId: 'row-9', status: 'delivered', receivedAt: 400 }));
    expect(await receipts.byOutboxId('aliyun', 'row-9')).toBeNull();
    expect(await receipts.byOutboxId('tencent', 'row-unknown')).toBeNull();
  });

  it('keeps a report naming no outbox row too', async () => {
    expect(await receipts.insert(receipt({ providerId: 'BIZ-ORPHAN', outboxId: null }))).toBe(true);
    expect(await receipts.insert(receipt({ providerId: 'BIZ-ORPHAN', outboxId: null }))).toBe(false);
  });
});
