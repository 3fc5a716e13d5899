/**
 * The test helpers, in one place: temp stores, cost rows and bills, the FOCUS CSV writer, error
 * matchers, the CLI runner, and the seeded cluster and usage fixtures. Import from here.
 */
export * from './bill-fixture.js'
export * from './cli.js'
export * from './cluster-fixture.js'
export * from './cost-data.js'
export * from './errors.js'
export * from './focus-csv.js'
export * from './recommendations.js'
export * from './seed-store.js'
export * from './store.js'
export * from './totals.js'
export * from './workload-builders.js'
export * from './chromium.js'
export * from './png.js'
export * from './focus-rules.js'
export * from './backup-store.js'
export * from './kill-points.js'
export * from './commitment-bill.js'
