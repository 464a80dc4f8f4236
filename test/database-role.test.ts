import { randomBytes } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { PgEventStore } from '../src/store/pg-event-store.js'
import { createDatabase } from '../src/store/database.js'
import { prepareEvent } from '../src/http/prepare-event.js'
import { compileScrubber } from '../src/core/scrub-secrets.js'
import type { AuditEventInput } from '../src/schemas/audit-event.js'
import { createTestDatabase, sampleEvent } from './helper.js'

// The grants the README documents are enough to append, and refuse everything else.
t.test('the service runs as a role with only INSERT and SELECT on the audit tables', async t => {
  const url = await createTestDatabase(t)
  const role = `audit_role_${randomBytes(4).toString('hex')}`
  const owner = new pg.Client({ connectionString: url })
  await owner.connect()
  t.teardown(async () => {
    await owner.query(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`)
    await owner.end()
  })
  await owner.query(`
    CREATE ROLE ${role} LOGIN;
    GRANT USAGE ON SCHEMA public TO ${role};
    GRANT SELECT, INSERT ON audit_events, checkpoints TO ${role};
    GRANT SELECT, INSERT, UPDATE ON chain_heads TO ${role};`)

  const roleUrl = new URL(url)
  roleUrl.username = role
  const db = createDatabase({ connectionString: roleUrl.toString(), max: 1 })
  t.teardown(() => db.destroy())
  const event = prepareEvent(sampleEvent() as AuditEventInput, { tenant: 'default', requestId: 'r', receivedAt: new Date().toISOString(), scrub: compileScrubber() })
  t.same(await new PgEventStore(db).append('default', [event]), [{ status: 'stored', seq: 1 }])

  const client = new pg.Client({ connectionString: roleUrl.toString() })
  await client.connect()
  t.teardown(() => client.end())
  for (const statement of ['UPDATE audit_events SET action = \'x\'', 'DELETE FROM audit_events', 'TRUNCATE audit_events', 'DELETE FROM checkpoints']) {
    await t.rejects(client.query(statement), { message: /permission denied/ }, statement)
  }
})
