import t from 'tap'
import { startSentinelGroup, until } from '../faults/redis-group.js'
import { failoverFlow } from './helpers/failover-flow.js'

// A real Sentinel group (a primary, a replica, 3 sentinels with quorum 2 and
// down-after-milliseconds 1 s): the API and a worker on it, then the primary is SIGKILLed
// while 2,000 events are sent through the bundled client, and the sentinels promote the replica.

t.test('Redis Sentinel: events flow, the primary is killed and the replica promoted, nothing lost or duplicated', async t => {
  const group = await startSentinelGroup(t, 1000)
  await failoverFlow(t, group.url, {
    async kill () {
      await group.primary.kill()
    },
    async promoted () {
      await until(async () => await group.primaryPort() === group.replica.port, 'the sentinels to promote the replica')
      await until(async () => String(await group.replica.call('INFO', 'replication')).includes('role:master'), 'the replica to take the primary role')
    },
    running: () => [group.primary, group.replica].filter(n => n.running),
    async rejoin () {
      // Back as a replica of the new primary, by the sentinels' REPLICAOF.
      await group.primary.restart()
      await until(async () => String(await group.primary.call('INFO', 'replication')).includes('master_link_status:up'), 'the old primary to rejoin as a replica')
    }
  })
})
