/**
 * The label value of the series that stands for the tenants beyond the bound. Tenant names
 * start with a letter or digit (TenantParam), so it names no tenant.
 */
export const OTHER_TENANTS = '_other'

/** Tenants named in per-tenant series when METRICS_TENANTS does not say (its default too). */
export const DEFAULT_TENANT_SERIES = 20

/**
 * Keeps per-tenant series bounded: with at most `max` tenants each is its own item; beyond,
 * the first `max` by `compare` stay and the rest are folded into one item for OTHER_TENANTS.
 * Series count then stays at most `max + 1` per metric, however many tenants there are.
 *
 * @example
 * boundTenants([{ tenant: 'a', n: 1 }, { tenant: 'b', n: 5 }, { tenant: 'c', n: 2 }], 1,
 *   (x, y) => y.n - x.n, rest => ({ n: rest.reduce((s, r) => s + r.n, 0) }))
 * // [{ tenant: 'b', n: 5 }, { tenant: '_other', n: 3 }]
 */
export function boundTenants<T extends { tenant: string }> (items: T[], max: number, compare: (a: T, b: T) => number, fold: (rest: T[]) => Omit<T, 'tenant'>): T[] {
  if (items.length <= max) return items
  // Ties are broken by name, so the same tenants are named from one scrape to the next.
  const ranked = [...items].sort((a, b) => compare(a, b) || (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0))
  const rest = ranked.slice(max)
  return [...ranked.slice(0, max), { ...fold(rest), tenant: OTHER_TENANTS } as T]
}
