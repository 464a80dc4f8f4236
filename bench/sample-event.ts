/**
 * A realistic audit event of about 420 bytes of JSON: every common field, a user agent, a
 * little metadata, no `id` (the API makes a UUIDv7, so no two requests are duplicates) and no
 * secrets (the scrubber walks it but redacts nothing). `n` varies the target and the time so
 * that prefilled rows differ the way real ones do.
 */
export function sampleEvent (n = 0, tenant?: string): Record<string, unknown> {
  const second = String(n % 60).padStart(2, '0')
  return {
    occurred_at: `2026-11-26T12:00:${second}.${String(n % 1000).padStart(3, '0')}Z`,
    action: 'document.permission.update',
    actor: {
      type: 'user',
      id: 'u_8f3a2c91',
      name: 'Ada Lovelace',
      ip: '203.0.113.7',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0'
    },
    target: { type: 'document', id: `doc_${(n * 7919 % 1_000_000).toString(36)}`, name: 'Q3 board deck' },
    outcome: 'success',
    ...(tenant === undefined ? {} : { tenant }),
    source: { service: 'docs-api', version: '2.14.1' },
    metadata: { role: 'editor', previous_role: 'viewer', mfa: true }
  }
}
