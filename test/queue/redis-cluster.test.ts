import t from 'tap'
import { startRedisCluster, until, type RedisProcess } from '../faults/redis-group.js'
import { failoverFlow } from './helpers/failover-flow.js'

// A real 6-node Redis Cluster (3 masters, 3 replicas, cluster-node-timeout 1 s): the API and a
// worker on it, then the master holding the queue's slot is SIGKILLed while 2,000 events are
// sent through the bundled client, and the cluster promotes its replica on its own.

t.test('Redis Cluster: events flow, a master is killed and its replica promoted, nothing lost or duplicated', async t => {
  const cluster = await startRedisCluster(t, 1000)
  let killed: RedisProcess | undefined
  await failoverFlow(t, cluster.url, {
    async kill (queueKey) {
      killed = await cluster.masterOf(queueKey)
      await killed.kill()
    },
    async promoted () {
      await until(async () => await cluster.healthy(), 'the replica to be promoted and the cluster ok again')
    },
    running: () => cluster.nodes.filter(n => n.running),
    async rejoin () {
      await killed!.restart()
      await until(async () => String(await killed!.call('INFO', 'replication')).includes('master_link_status:up'), 'the killed master to rejoin as a replica')
    }
  })
})
