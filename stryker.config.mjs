// Mutation testing of the files that hold Linux's rules (issue 16).
// `npm run test:mutation` runs it in full; .ci/run mutates only what a change
// touches (scripts/mutation-ci.sh). Reports go to reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mjs' },
  coverageAnalysis: 'perTest',
  mutate: [
    'core/memtype.ts',
    'core/cachemode.ts',
    'core/mtrr.ts',
    'core/physmap.ts',
    'core/memory.ts',
    'core/mmap.ts',
    'core/mprotect.ts',
    'core/fork.ts',
    'core/ioremap.ts',
    'core/set-memory.ts',
    'core/pagetable.ts',
    'core/kmsg.ts',
  ],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  // The sandbox needs the sources and tests, not the build or results.
  ignorePatterns: ['dist', 'results', 'reports'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
