// The binding store port's contract, run against every implementation: SQLite and PostgreSQL give the same answers
// over the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BindingStore } from '../../server/chat/binding-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

// account 5300123456 has a second application on another phone (the newest), and an older one on the first phone
const MORE_APPLICATIONS = `
INSERT INTO applications (application_no, account_no, customer_name, process_code, address, phone, query_code_hmac, accepted_at,
    status, account_manager_id, source_digest, plan_feasible, plan_basis, plan_compressed, planned_on, created_at, updated_at) VALUES
  ('YX2026-0011', '5300123456', '张三', 'lv_resident', '城东路9号', '13800009999', 'h11', 5, 'active', NULL, 'd11', TRUE, 'typical', FALSE, '2026-11-24', 1, 1),
  ('YX2026-0012', '5300123456', '张三', 'lv_resident', '城东路1号', '13800001111', 'h12', 0, 'completed', NULL, 'd12', TRUE, 'typical', FALSE, '2026-11-24', 1, 1);
`;

describe.each(storeImplementations)('bindings on $name', (implementation) => {
  let bindings: BindingStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open(MORE_APPLICATIONS);
    bindings = opened.stores.bindings;
    close = opened.close;
  });
  afterAll(() => close());

  it('binds an address for a scope, and notices of the applications in it go there only', async () => {
    await bindings.bind({ channel: 'wechat', address: 'wxid_a', accountNo: '5300123456', at: 10, applicationNos: ['YX2026-0001'] });
    expect(await bindings.boundTo({ channel: 'wechat', address: 'wxid_a' })).toEqual([{ accountNo: '5300123456', applicationNos: ['YX2026-0001'] }]);
    expect(await bindings.covering('5300123456', 'YX2026-0001')).toEqual([{ channel: 'wechat', address: 'wxid_a' }]);
    expect(await bindings.covering('5300123456', 'YX2026-0011')).toEqual([]);
  });

  it('binding again replaces the scope; without one it keeps the scope it had', async () => {
    await bindings.bind({ channel: 'wechat', address: 'wxid_a', accountNo: '5300123456', at: 20, applicationNos: ['YX2026-0001', 'YX2026-0011'] });
    await bindings.bind({ channel: 'wechat', address: 'wxid_a', accountNo: '5300123456', at: 30, applicationNos: null });
    expect(await bindings.boundTo({ channel: 'wechat', address: 'wxid_a' })).toEqual([{ accountNo: '5300123456', applicationNos: ['YX2026-0001', 'YX2026-0011'] }]);
    expect(await bindings.covering('5300123456', 'YX2026-0011')).toEqual([{ channel: 'wechat', address: 'wxid_a' }]);
  });

  it('reads a binding kept without a scope as the applications with the phone of the latest active one', async () => {
    expect(await bindings.legacyScope('5300123456')).toEqual(['YX2026-0011']);
    await bindings.bind({ channel: 'sms', address: '13700007777', accountNo: '5300123456', at: 40, applicationNos: null });
    expect(await bindings.covering('5300123456', 'YX2026-0011')).toEqual(expect.arrayContaining([{ channel: 'sms', address: '13700007777' }]));
    expect(await bindings.covering('5300123456', 'YX2026-0001')).not.toContainEqual({ channel: 'sms', address: '13700007777' });
    expect(await bindings.legacyScope('5399999999')).toEqual([]);
  });

  it('lists an address\'s accounts newest first, and unbinding removes it from every account', async () => {
    await bindings.bind({ channel: 'sms', address: '13700007777', accountNo: '5300123457', at: 50, applicationNos: ['YX2026-0002'] });
    expect((await bindings.boundTo({ channel: 'sms', address: '13700007777' })).map((b) => b.accountNo)).toEqual(['5300123457', '5300123456']);
    expect(await bindings.unbindAll({ channel: 'sms', address: '13700007777' })).toBe(2);
    expect(await bindings.boundTo({ channel: 'sms', address: '13700007777' })).toEqual([]);
    expect(await bindings.ofAccount('5300123457')).toEqual([]);
    expect(await bindings.ofAccount('5300123456')).toEqual([{ channel: 'wechat', address: 'wxid_a' }]);
    expect(await bindings.unbindAll({ channel: 'sms', address: '13700007777' })).toBe(0);
  });
});
