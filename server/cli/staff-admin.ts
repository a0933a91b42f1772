// `npm run jiedian -- staff:admin HANDLER_ID [--revoke]`: admins (all teams) are made in Jiedian, not synced.
import type { Writable } from 'node:stream';
import type { Transact } from '../stores.ts';

export async function setAdmin(options: { handlerId: string; revoke: boolean; transact: Transact; stdout: Writable; stderr: Writable }): Promise<number> {
  const { handlerId } = options;
  const role = await options.transact(async ({ staff }) => {
    const current = await staff.role(handlerId);
    if (current === null) return null;
    // Revoked, an admin becomes a team lead until the marketing system next syncs their actual role.
    const next = options.revoke ? (current === 'admin' ? 'team_lead' : current) : 'admin';
    await staff.setRole(handlerId, next);
    return next;
  });
  if (role === null) {
    options.stderr.write(`jiedian: no handler ${handlerId}; sync it first (PUT /api/v1/sync/handlers/${handlerId})\n`);
    return 1;
  }
  options.stdout.write(`${handlerId} is now ${role}\n`);
  return 0;
}
