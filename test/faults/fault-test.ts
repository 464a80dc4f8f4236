/**
 * The part of a tap test the fault scenarios use, so that helpers can take any subtest
 * without naming tap's generic plugin types. The rest is tap's `[message, extra]`.
 */
export interface FaultTest {
  ok (value: unknown, ...messageExtra: unknown[]): boolean
  equal (found: unknown, wanted: unknown, ...messageExtra: unknown[]): boolean
  same (found: unknown, wanted: unknown, ...messageExtra: unknown[]): boolean
  fail (...messageExtra: unknown[]): boolean
  comment (...args: unknown[]): void
  teardown (fn: () => unknown): void
}
