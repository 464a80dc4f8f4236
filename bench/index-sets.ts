/**
 * The read indexes the index study (measure-index-costs.ts) compares, each as what follows
 * `CREATE INDEX <name> ON <table>`: the nine of migrations/0003 and the alternatives to them.
 * The keys (primary key, unique (tenant, prev_hash), unique (id, tenant)) are in every set.
 */
export const STUDY_INDEXES = {
  actor_id: '(tenant, actor_id, seq)',
  actor_type: '(tenant, actor_type, seq)',
  action: '(tenant, action text_pattern_ops, seq)',
  target: '(tenant, target_type, target_id, seq)',
  target_id: '(tenant, target_id, seq)',
  request_id: '(tenant, request_id, seq) WHERE request_id IS NOT NULL',
  occurred_at: '(tenant, occurred_at, seq)',
  received_at: '(tenant, received_at, seq)',
  outcome: '(tenant, outcome, seq)',
  // Only the values that are not the common one: a search for the common value walks the
  // primary key and finds a page at once; a rare one reads this small index.
  actor_type_rare: "(tenant, actor_type, seq) WHERE actor_type <> 'user'",
  outcome_rare: "(tenant, outcome, seq) WHERE outcome <> 'success'",
  // One entry per 128 pages: nearly free to keep, but blind to the tenant.
  occurred_at_brin: 'USING brin (occurred_at)',
  received_at_brin: 'USING brin (received_at)',
  // Four bytes of hash per row instead of the whole key; no order, so a page is sorted.
  request_id_hash: 'USING hash (request_id)'
} as const

export type StudyIndex = keyof typeof STUDY_INDEXES

export interface IndexSet {
  name: string
  indexes: StudyIndex[]
}

export const MIGRATION_0003: StudyIndex[] = ['actor_id', 'actor_type', 'action', 'target', 'target_id', 'request_id', 'occurred_at', 'received_at', 'outcome']

const without = (set: StudyIndex[], ...drop: StudyIndex[]) => set.filter(i => !drop.includes(i))
const oneTarget = without(MIGRATION_0003, 'target')
const rarePartials = [...without(oneTarget, 'actor_type', 'outcome'), 'actor_type_rare', 'outcome_rare'] satisfies StudyIndex[]

/** Whole sets, measured for inserts and for reads. */
export const CANDIDATE_SETS: IndexSet[] = [
  { name: 'all nine (migrations 0003)', indexes: MIGRATION_0003 },
  { name: 'keys only', indexes: [] },
  { name: 'A: one target index', indexes: oneTarget },
  { name: 'B: A, rare-value partials for actor.type and outcome', indexes: rarePartials },
  { name: 'C: B, BRIN for both times', indexes: [...without(rarePartials, 'occurred_at', 'received_at'), 'occurred_at_brin', 'received_at_brin'] },
  { name: 'D: A without actor.type and outcome', indexes: without(oneTarget, 'actor_type', 'outcome') },
  { name: 'E: B, hash for request_id', indexes: [...without(rarePartials, 'request_id'), 'request_id_hash'] }
]

/** Keys plus one index, for inserts: what each index costs on its own. */
export const SINGLE_SETS: IndexSet[] = (Object.keys(STUDY_INDEXES) as StudyIndex[]).map(i => ({ name: `keys + ${i}`, indexes: [i] }))

/** All nine but one, for reads: which reads each index serves. */
export const LEAVE_ONE_OUT_SETS: IndexSet[] = MIGRATION_0003.map(i => ({ name: `all but ${i}`, indexes: without(MIGRATION_0003, i) }))
