import neostandard from 'neostandard'

// Each folder of src/core is a module entered only through its index.ts (issue 15): from
// outside a module, and from another core module, import `<module>/index.js`, never a file in it.
const coreModules = ['json', 'chain', 'merkle', 'note', 'checkpoint', 'verify']
const deepCoreImport = {
  group: coreModules.flatMap(m => [`**/core/${m}/*`, `!**/core/${m}/index.js`]),
  message: 'enter a src/core module through its index.js'
}
const deepSiblingModuleImport = {
  group: coreModules.flatMap(m => [`../${m}/*`, `!../${m}/index.js`]),
  message: 'enter another core module through its index.js'
}

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'node_modules/**', 'test/faults/results/**', 'openapi/**']
  }),
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [deepCoreImport] }],
      // `void promise` marks a promise deliberately not awaited (its errors are handled inside).
      'no-void': ['error', { allowAsStatement: true }],
      // Flags set by another async task (a probe or writer loop that runs until told to stop)
      // are modified outside the loop: the rule cannot see that and only reports those.
      'no-unmodified-loop-condition': 'off'
    }
  },
  {
    // A TypeBox schema and its static type share one name (`const X = Type.Object(...)`, `type X = Static<typeof X>`).
    files: ['src/schemas/**/*.ts'],
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepCoreImport, deepSiblingModuleImport] }] }
  }
]
