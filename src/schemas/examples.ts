// Example values for the OpenAPI document (/docs), taken from a real run: three events and a
// batch of one sent to a fresh log of tenant `default`, signed with the RFC 8032 test key
// (the tests' TEST_SIGNING_SEED), so the hashes, proofs and signatures below verify. The batch's
// receipt is v2, signed again for the same event (a batch of one: leaf 0 of 1, empty path).

export const exampleEventId = '01a21a5e-22d2-76e0-9bd0-d3b4ab317058'

/** The request id the example event of POST /audit-events carries (see the list's example query). */
export const exampleRequestId = '7d444840-9dc0-41d2-b2a4-1c2a4f2c8a51'

export const exampleStoredEvent = {
  seq: 2,
  id: '01a21a5e-22d2-76e0-9bd0-d3b4ab317058',
  hash: 'e24b00fc3a5fe658ef2e36f0cadbfd935a66aede3f478cf352af35d3ca6814e6',
  prev_hash: '293105d08c2bad8d63556f14881bfabf252bc34bb9898361b2aa0328254767e5',
  record: {
    v: 1,
    id: '01a21a5e-22d2-76e0-9bd0-d3b4ab317058',
    seq: 2,
    actor: {
      id: 'u_1',
      name: 'Ada',
      type: 'user'
    },
    action: 'user.login',
    source: {
      service: 'auth'
    },
    target: {
      id: 's_1',
      type: 'session'
    },
    tenant: 'default',
    outcome: 'success',
    metadata: {
      method: 'password'
    },
    redactions: [],
    request_id: '0469e33f-682b-4781-abc0-0465f6aad31c',
    occurred_at: '2026-11-26T12:00:00Z',
    received_at: '2026-11-27T00:18:26.642Z'
  }
}

export const exampleEventPage = {
  items: [
    {
      seq: 1,
      id: '01a21a5e-22aa-7656-96ab-0285670d4db6',
      hash: '293105d08c2bad8d63556f14881bfabf252bc34bb9898361b2aa0328254767e5',
      prev_hash: '0000000000000000000000000000000000000000000000000000000000000000',
      record: {
        v: 1,
        id: '01a21a5e-22aa-7656-96ab-0285670d4db6',
        seq: 1,
        actor: {
          id: 'u_0',
          name: 'Ada',
          type: 'user'
        },
        action: 'user.login',
        source: {
          service: 'auth'
        },
        target: {
          id: 's_1',
          type: 'session'
        },
        tenant: 'default',
        outcome: 'success',
        metadata: {
          method: 'password'
        },
        redactions: [],
        request_id: 'b7667924-1ae2-4594-a303-6b4c8d0eda02',
        occurred_at: '2026-11-26T12:00:00Z',
        received_at: '2026-11-27T00:18:26.602Z'
      }
    },
    exampleStoredEvent
  ],
  next_cursor: 'WzIsImFzYyIsImdsZnZWZW0tcjVUbyJd'
}

export const exampleAcceptedBatch = {
  accepted: 1,
  items: [
    {
      id: '01a21a5e-22ee-7631-9a4d-dce05455e1eb',
      received_at: '2026-11-27T00:18:26.670Z',
      status: 'accepted',
      duplicate: false,
      record_sha256: 'WP6u3nbXc5fGABk5552s3ZmlPs5GpT4M3phrjmgln8U=',
      receipt: 'audit-service receipt v2\naudit-service.local/default\n01a21a5e-22ee-7631-9a4d-dce05455e1eb\n2026-11-27T00:18:26.670Z\nWP6u3nbXc5fGABk5552s3ZmlPs5GpT4M3phrjmgln8U=\n0 1\n\naudit-service receipt batch v2\n1 Z4u3LWZnT5uUczjCMmSKoABThW45kHna0/AQXI9MHcY=\n\n— audit-service.local/default rS64IQvrojrZGiwxEwJ8O2PEgID5UXizIL4d+aC60XLMPpdZxD1mNseaagn0FsBGihjXhUxXUpVF+ONre6oBhouutAk=\n'
    }
  ]
}

export const exampleCheckpointNote = 'audit-service.local/default\n4\nsm/sGNgtfyJTeLiM7nFZJWVaHJEsAHWBcPxUg12+Ew8=\n\n— audit-service.local/default rS64IUF2omJ26eVhkl3WK3vPjzk9PRNNOz8Z0sLcLveBYneY8VRacxU4o3WTNwhfnxbRYn1/SOSEtwwTLI5VpFwj7gU=\n'

export const exampleCheckpoint = {
  tenant: 'default',
  origin: 'audit-service.local/default',
  size: 4,
  root_hash: 'sm/sGNgtfyJTeLiM7nFZJWVaHJEsAHWBcPxUg12+Ew8=',
  note: exampleCheckpointNote,
  created_at: '2026-11-27T00:18:26.847Z'
}

export const exampleInclusionProof = {
  id: '01a21a5e-22d2-76e0-9bd0-d3b4ab317058',
  tenant: 'default',
  origin: 'audit-service.local/default',
  seq: 2,
  leaf_index: 1,
  tree_size: 4,
  leaf_hash: 'WdzgnSdRAoK/jfPXCX/I5MkqUwqC3inCGuYXCy/cAzE=',
  root_hash: 'sm/sGNgtfyJTeLiM7nFZJWVaHJEsAHWBcPxUg12+Ew8=',
  inclusion_proof: [
    'Np2v1dauFlXcQ/B2FRsW8iIIRjCcDRSGKPxUge7DXXo=',
    'hzkbRA7qx0jrqvWm3q4kByAr+0YRGyhp6o74ORwU/uY='
  ],
  checkpoint: exampleCheckpointNote,
  tlog_proof: 'c2sp.org/tlog-proof@v1\nextra eyJhY3Rpb24iOiJ1c2VyLmxvZ2luIiwiYWN0b3IiOnsiaWQiOiJ1XzEiLCJuYW1lIjoiQWRhIiwidHlwZSI6InVzZXIifSwiaWQiOiIwMWEyMWE1ZS0yMmQyLTc2ZTAtOWJkMC1kM2I0YWIzMTcwNTgiLCJtZXRhZGF0YSI6eyJtZXRob2QiOiJwYXNzd29yZCJ9LCJvY2N1cnJlZF9hdCI6IjIwMjYtMTEtMjZUMTI6MDA6MDBaIiwib3V0Y29tZSI6InN1Y2Nlc3MiLCJyZWNlaXZlZF9hdCI6IjIwMjYtMTEtMjdUMDA6MTg6MjYuNjQyWiIsInJlZGFjdGlvbnMiOltdLCJyZXF1ZXN0X2lkIjoiMDQ2OWUzM2YtNjgyYi00NzgxLWFiYzAtMDQ2NWY2YWFkMzFjIiwic2VxIjoyLCJzb3VyY2UiOnsic2VydmljZSI6ImF1dGgifSwidGFyZ2V0Ijp7ImlkIjoic18xIiwidHlwZSI6InNlc3Npb24ifSwidGVuYW50IjoiZGVmYXVsdCIsInYiOjF9\nindex 1\nNp2v1dauFlXcQ/B2FRsW8iIIRjCcDRSGKPxUge7DXXo=\nhzkbRA7qx0jrqvWm3q4kByAr+0YRGyhp6o74ORwU/uY=\n\naudit-service.local/default\n4\nsm/sGNgtfyJTeLiM7nFZJWVaHJEsAHWBcPxUg12+Ew8=\n\n— audit-service.local/default rS64IUF2omJ26eVhkl3WK3vPjzk9PRNNOz8Z0sLcLveBYneY8VRacxU4o3WTNwhfnxbRYn1/SOSEtwwTLI5VpFwj7gU=\n'
}

export const exampleConsistencyProof = {
  tenant: 'default',
  origin: 'audit-service.local/default',
  from: 2,
  to: 4,
  from_root: 'l0zWXGW4LR+62vf7tFf0q7+awUua961iYHQq3SxvT14=',
  to_root: 'sm/sGNgtfyJTeLiM7nFZJWVaHJEsAHWBcPxUg12+Ew8=',
  proof: [
    'hzkbRA7qx0jrqvWm3q4kByAr+0YRGyhp6o74ORwU/uY='
  ],
  to_checkpoint: exampleCheckpointNote
}

/** `GET /.well-known/audit-log-keys?tenant=default` of the example log (RFC 8032 test key 1). */
export const exampleVerifierKeys = {
  keys: [
    {
      origin: 'audit-service.local/default',
      name: 'audit-service.local/default',
      key_id: 'ad2eb821',
      verifier_key: 'audit-service.local/default+ad2eb821+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea',
      public_key: 'AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea',
      status: 'active',
      valid_from: '2026-11-27T00:18:00.000Z',
      valid_until: null
    },
    {
      origin: 'audit-service.local/default',
      name: 'audit-service',
      key_id: 'f60e4575',
      verifier_key: 'audit-service+f60e4575+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea',
      public_key: 'AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea',
      status: 'legacy',
      valid_from: '2026-11-20T09:00:00.000Z',
      valid_until: '2026-11-27T00:18:00.000Z'
    }
  ],
  origin_prefix: 'audit-service.local'
}

export const exampleExport = '{"type":"header","format":"audit-service-export/1","tenant":"default","origin":"audit-service.local/default","from_seq":1,"to_seq":1,"verifier_keys":["audit-service.local/default+ad2eb821+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea","audit-service+f60e4575+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"],"start":null}\n{"type":"record","seq":1,"canonical":"{\\"action\\":\\"user.login\\",\\"actor\\":{\\"id\\":\\"u_0\\",\\"name\\":\\"Ada\\",\\"type\\":\\"user\\"},\\"id\\":\\"01a21a5e-22aa-7656-96ab-0285670d4db6\\",\\"metadata\\":{\\"method\\":\\"password\\"},\\"occurred_at\\":\\"2026-11-26T12:00:00Z\\",\\"outcome\\":\\"success\\",\\"received_at\\":\\"2026-11-27T00:18:26.602Z\\",\\"redactions\\":[],\\"request_id\\":\\"b7667924-1ae2-4594-a303-6b4c8d0eda02\\",\\"seq\\":1,\\"source\\":{\\"service\\":\\"auth\\"},\\"target\\":{\\"id\\":\\"s_1\\",\\"type\\":\\"session\\"},\\"tenant\\":\\"default\\",\\"v\\":1}","record":{"v":1,"id":"01a21a5e-22aa-7656-96ab-0285670d4db6","seq":1,"actor":{"id":"u_0","name":"Ada","type":"user"},"action":"user.login","source":{"service":"auth"},"target":{"id":"s_1","type":"session"},"tenant":"default","outcome":"success","metadata":{"method":"password"},"redactions":[],"request_id":"b7667924-1ae2-4594-a303-6b4c8d0eda02","occurred_at":"2026-11-26T12:00:00Z","received_at":"2026-11-27T00:18:26.602Z"},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"293105d08c2bad8d63556f14881bfabf252bc34bb9898361b2aa0328254767e5"}\n{"type":"end","records":1}\n'

export const exampleApiKeyInfo = {
  id: '01a21a5e-24de-768e-ad7f-350a6e23c3c8',
  tenant: 'default',
  name: 'billing-service',
  scopes: [
    'events:write'
  ],
  prefix: 'ask_QFwViUpM',
  created_at: '2026-11-27T00:18:27.168Z',
  revoked_at: null,
  revoked_reason: null
}

export const exampleCreatedApiKey = {
  key: 'ask_QFwViUpM5Y1Y0NcbD7NTtVO5Ou8lXuGp3exvz5oNvSM',
  info: exampleApiKeyInfo
}

/** An excerpt of `GET /metrics`. */
export const exampleMetrics = '# HELP audit_http_requests_total HTTP requests by route, method and status code\n# TYPE audit_http_requests_total counter\naudit_http_requests_total{route="/audit-events",method="POST",status="202"} 3\naudit_http_requests_total{route="/audit-events/batch",method="POST",status="202"} 1\n# HELP audit_events_accepted_total Events queued for the worker: source="client" answered 202 (duplicates excluded), source="service" the service\'s own-access events\n# TYPE audit_events_accepted_total counter\naudit_events_accepted_total{source="client"} 4\naudit_events_accepted_total{source="service"} 0\n# HELP audit_queue_jobs Jobs in the queue by state (failed = dead letters)\n# TYPE audit_queue_jobs gauge\naudit_queue_jobs{state="waiting"} 0\naudit_queue_jobs{state="active"} 0\naudit_queue_jobs{state="failed"} 0\naudit_queue_jobs{state="delayed"} 0\n# HELP audit_queue_lag_seconds Age of the oldest waiting job (0 when none waits); grows while no worker takes jobs\n# TYPE audit_queue_lag_seconds gauge\naudit_queue_lag_seconds 0\n# HELP audit_checkpoint_age_seconds Age of each tenant\'s latest signed checkpoint (grows while the tenant is idle)\n# TYPE audit_checkpoint_age_seconds gauge\naudit_checkpoint_age_seconds{tenant="default"} 0.409453\n'
