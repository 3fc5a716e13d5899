import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Holds every --json the tests see to its contract, and fails a whole run that left one unheld.
    globalSetup: ['test/helpers/contract-ledger.setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only make the spawned-CLI tests fight for CPU.
    maxWorkers: 2,
    reporters: ['default'],
  },
})
