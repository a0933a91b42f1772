// The staff accounts store port's contract, run against every implementation: SQLite and PostgreSQL give the same
// answers over the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffAccounts } from '../../server/staff/staff-accounts.ts';
import { storeImplementations } from '../support/store-contract.ts';

describe.each(storeImplementations)('staff accounts on $name', (implementation) => {
  let accounts: StaffAccounts;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open();
    accounts = opened.stores.staff;
    close = opened.close;
  });
  afterAll(() => close());

  it('names a synced staff member with their team, and nobody for an unknown id', async () => {
    expect(await accounts.member('H009')).toEqual({ handlerId: 'H009', role: 'team_lead', teamId: 'T01', name: '王建国', teamName: '城东班', phone: '13900009999' });
    expect(await accounts.member('H404')).toBeNull();
  });

  it('keeps a password hash for a synced handler only', async () => {
    expect(await accounts.passwordHash('H001')).toBeNull();
    expect(await accounts.setPasswordHash('H001', 'scrypt$abc$def')).toBe(true);
    expect(await accounts.passwordHash('H001')).toBe('scrypt$abc$def');
    expect(await accounts.setPasswordHash('H404', 'scrypt$abc$def')).toBe(false);
    expect(await accounts.passwordHash('H404')).toBeNull();
  });

  it("reads and sets a handler's role, whether or not their team is synced, and nobody's for an unknown id", async () => {
    expect(await accounts.role('H009')).toBe('team_lead');
    expect(await accounts.setRole('H009', 'admin')).toBe(true);
    expect(await accounts.role('H009')).toBe('admin');
    expect(await accounts.member('H009')).toMatchObject({ role: 'admin' });
    expect(await accounts.setRole('H009', 'team_lead')).toBe(true);
    expect(await accounts.role('H009')).toBe('team_lead');
    expect(await accounts.role('H404')).toBeNull();
    expect(await accounts.setRole('H404', 'admin')).toBe(false);
  });

  it('finds who works on an application: step handlers, the account manager, those its hurries went to', async () => {
    const byId = (list: { handlerId: string }[] | null) => list && [...list].sort((a, b) => a.handlerId.localeCompare(b.handlerId));
    expect(byId(await accounts.workersOf('YX2026-0001'))).toEqual([
      { handlerId: 'H001', teamId: 'T01' },
      { handlerId: 'H009', teamId: 'T01' },
      { handlerId: 'H101', teamId: 'T02' },
    ]);
    // an account manager the marketing system has not synced yet names no team
    expect(await accounts.workersOf('YX2026-0002')).toEqual([{ handlerId: 'H777', teamId: null }]);
    expect(await accounts.workersOf('YX2026-0003')).toEqual([]);
    expect(await accounts.workersOf('YX2099-9999')).toBeNull();
  });

  it("names a team's leads, or every team's, by id", async () => {
    const lead = { handlerId: 'H009', name: '王建国', phone: '13900009999', teamId: 'T01' };
    expect(await accounts.leads('T01')).toEqual([lead]);
    expect(await accounts.leads('T02')).toEqual([]);
    expect(await accounts.leads(null)).toEqual([lead]);
  });
});
