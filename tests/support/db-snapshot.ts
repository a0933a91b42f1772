// Every row of every table, for asserting that a rejected request changed nothing.
import type { TestApp } from './app.ts';

/** Each table's rows (migration bookkeeping left out), in an order that does not depend on how they were stored. */
export async function databaseSnapshot(t: TestApp): Promise<Record<string, string[]>> {
  const tables = (
    await t.sql(
      t.config.postgres
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '__drizzle%' ORDER BY 1"
        : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
    )
  ).map((row) => String(row.name));
  const snapshot: Record<string, string[]> = {};
  for (const name of tables) snapshot[name] = (await t.sql(`SELECT * FROM "${name}"`)).map((row) => JSON.stringify(row)).sort();
  return snapshot;
}
