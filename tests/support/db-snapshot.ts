// Every row of every table, for asserting that a rejected request changed nothing.
import type { Database_ } from '../../db/client.ts';

export function databaseSnapshot(database: Database_): Record<string, unknown[]> {
  const tables = database.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name")
    .all() as { name: string }[];
  const snapshot: Record<string, unknown[]> = {};
  for (const { name } of tables) snapshot[name] = database.sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all();
  return snapshot;
}
