import pg from 'pg'

/** The URL of database `name` on the server of `adminUrl`. */
export function databaseUrl (adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function admin<T> (adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Drops (closing its connections) and creates the bench database; only ever `audit_bench`-like names. */
export async function recreateDatabase (adminUrl: string, name: string): Promise<void> {
  if (!/^audit_bench\w*$/.test(name)) throw new Error(`refusing to recreate database ${name}`)
  await admin(adminUrl, async client => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await client.query(`CREATE DATABASE ${name}`)
  })
}

export async function dropDatabase (adminUrl: string, name: string): Promise<void> {
  if (!/^audit_bench\w*$/.test(name)) throw new Error(`refusing to drop database ${name}`)
  await admin(adminUrl, client => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
}
