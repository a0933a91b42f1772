// The store port of template SMS status reports (Aliyun, Tencent Cloud), each kept once per provider message and phone.

export interface SmsReceipt {
  provider: string;
  /** Aliyun biz_id, Tencent sid (SerialNo) */
  providerId: string;
  phone: string;
  /** the outbox id the send carried (Aliyun out_id, Tencent ext); null when the report named none */
  outboxId: string | null;
  status: 'delivered' | 'failed';
  errorCode: string | null;
  receivedAt: number;
}

export interface SmsReceiptStore {
  /** false when this provider already reported this message to this phone */
  insert(receipt: SmsReceipt): Promise<boolean>;
  /** the latest report naming this outbox id, or null */
  byOutboxId(provider: string, outboxId: string): Promise<SmsReceipt | null>;
}
