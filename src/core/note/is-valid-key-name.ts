import { keyNameProblem } from './key-name-problem.js'

/** True when `name` can be a C2SP signed-note key name; {@link keyNameProblem} says why not. */
export function isValidKeyName (name: unknown): name is string {
  return keyNameProblem(name) === undefined
}
