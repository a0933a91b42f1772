// The leases of one process alone on its SQLite file: always its own.
import type { Lease, Leases } from '../../server/lease.ts';
import { LEASE_NAMES } from '../../server/lease.ts';

export function soleLease(name: string): Lease {
  return { name, held: () => true, onChange: () => () => undefined, close: async () => undefined };
}

export const soleLeases = (): Leases => ({ sweeper: soleLease(LEASE_NAMES.sweeper), wechatBot: soleLease(LEASE_NAMES.wechatBot) });
