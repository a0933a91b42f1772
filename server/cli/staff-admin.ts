// `npm run jiedian -- staff:admin HANDLER_ID [--revoke]`: admins (all teams) are made in Jiedian, not synced.
import type { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Database_ } from '../../db/client.ts';
import { handlers } from '../../db/schema/index.ts';

export function setAdmin(options: { handlerId: string; revoke: boolean; database: Database_; stdout: Writable; stderr: Writable }): number {
  const { handlerId, database } = options;
  const row = database.db.select({ role: handlers.role }).from(handlers).where(eq(handlers.id, handlerId)).get();
  if (!row) {
    options.stderr.write(`jiedian: no handler ${handlerId}; sync it first (PUT /api/v1/sync/handlers/${handlerId})\n`);
    return 1;
  }
  // Revoked, an admin becomes a team lead until the marketing system next syncs their actual role.
  const role = options.revoke ? (row.role === 'admin' ? 'team_lead' : row.role) : 'admin';
  database.db.update(handlers).set({ role }).where(eq(handlers.id, handlerId)).run();
  options.stdout.write(`${handlerId} is now ${role}\n`);
  return 0;
}
