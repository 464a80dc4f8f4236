/**
 * Which step of growth a chain of `size` events is at: -1 below 1,024 events, then one step
 * per factor of 4 (1,024, 4,096, 16,384, ...). A tenant that moved to another step since the
 * last ANALYZE is at least 4× larger than the planner thinks, which matters once it is
 * thousands of rows: believing a tenant tiny, PostgreSQL may serve `tenant = $1 AND seq = $2`
 * from any `(tenant, ...)` read index and scan the whole tenant (see PgEventStore).
 */
export function statisticsStep (size: number): number {
  return size < 1024 ? -1 : Math.floor(Math.log2(size / 1024) / 2)
}
