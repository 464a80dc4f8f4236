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
    rules: { 'no-restricted-imports': ['error', { patterns: [deepCoreImport] }] }
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepCoreImport, deepSiblingModuleImport] }] }
  }
]
