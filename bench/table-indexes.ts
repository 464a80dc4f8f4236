import type pg from 'pg'

/** A table's primary-key and unique constraints and its other indexes, as SQL that makes them again. */
export interface TableIndexes {
  constraints: Array<{ name: string, definition: string }>
  indexes: Array<{ name: string, definition: string }>
}

/** What `table` has now (CHECK constraints and triggers are not indexes: they stay as they are). */
export async function tableIndexes (client: pg.Client, table: string): Promise<TableIndexes> {
  const constraints = await client.query<{ name: string, definition: string }>(`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u') ORDER BY conname`, [table])
  const indexes = await client.query<{ name: string, definition: string }>(`
    SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
    FROM pg_index i
    WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY 1`, [table])
  return { constraints: constraints.rows, indexes: indexes.rows }
}

/**
 * Drops every index of `table` (constraints' too) and returns what makes them again: loading
 * millions of rows into a bare heap and sorting each index once afterwards takes minutes,
 * where keeping a dozen B-trees up to date row by row takes much longer.
 */
export async function dropTableIndexes (client: pg.Client, table: string): Promise<TableIndexes> {
  const found = await tableIndexes(client, table)
  for (const i of found.indexes) await client.query(`DROP INDEX ${i.name}`)
  for (const c of found.constraints) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT ${c.name}`)
  return found
}

export async function restoreTableIndexes (client: pg.Client, table: string, found: TableIndexes): Promise<void> {
  for (const c of found.constraints) await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${c.name} ${c.definition}`)
  for (const i of found.indexes) await client.query(i.definition)
}
