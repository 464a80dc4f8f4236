/** The checkpoint origin of a tenant's log: `<LOG_ORIGIN>/<tenant>`, unique per log as C2SP asks. */
export function logOrigin (prefix: string, tenant: string): string {
  return `${prefix}/${tenant}`
}
