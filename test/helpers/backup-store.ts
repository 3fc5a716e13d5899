import fs from 'node:fs'
import path from 'node:path'
import {expect} from 'vitest'

import {backupStore, listBackups, restoreStore} from '../../src/backup/index.js'
import type {BackupLocation} from '../../src/backup/location.js'
import {addDays} from '../../src/dates.js'
import type {DailyCostRow} from '../../src/model/cost.js'
import {replaceCosts} from '../../src/store/cost-writer.js'
import {openStore, type Db} from '../../src/store/open.js'
import {tempDir} from './cli.js'
import {seeded} from './cost-data.js'
import {tempStore, type TempStore} from './store.js'
import {expectSameTotals, storeTotals, type Totals} from './totals.js'

const SERVICES = [
  'Amazon Elastic Compute Cloud',
  'Amazon Simple Storage Service',
  'Amazon Relational Database Service',
  'AWS Lambda',
  'Amazon CloudFront',
  'Amazon DynamoDB',
  'Amazon Elastic Kubernetes Service',
  'Amazon ElastiCache',
  'Amazon Virtual Private Cloud',
  'AWS Data Transfer',
  'Amazon Managed Streaming for Apache Kafka',
  'Amazon OpenSearch Service',
]
const TAG_KEYS = [
  'team',
  'env',
  'app',
  'cost-center',
  'owner',
  'service',
  'component',
  'tier',
  'project',
  'region-group',
]

/**
 * Fills a store through its write path with a realistic bill: several accounts, a dozen services,
 * per-resource tag sets over ten tag keys, a year or more of days. `resources` per service and
 * account sets the size (about 1 KB of store per row once indexed).
 */
export function fillCostStore(
  db: Db,
  options: {accounts?: number; resources?: number; from?: string; days?: number; seed?: number} = {},
): {rows: number; from: string; to: string} {
  const accounts = Array.from({length: options.accounts ?? 3}, (_, i) => String(100000000000 + i * 111111111))
  const from = options.from ?? '2025-01-01'
  const to = addDays(from, (options.days ?? 365) - 1)
  const rand = seeded(options.seed ?? 11)
  const resources = options.resources ?? 4
  const rows: DailyCostRow[] = []
  for (let day = from; day <= to; day = addDays(day, 1))
    for (const account of accounts)
      for (const service of SERVICES)
        for (let r = 0; r < resources; r++) {
          const tags = Object.fromEntries(
            TAG_KEYS.map((key, k) => [key, `${key}-${(r * 7 + k * 3 + service.length) % (5 + k)}`]),
          )
          const cost = Math.round((5 + rand() * 200) * 100) / 100
          rows.push({
            day,
            billingPeriodStart: `${day.slice(0, 7)}-01`,
            provider: 'AWS',
            billingAccountId: accounts[0]!,
            subAccountId: account,
            serviceName: service,
            serviceCategory: 'Compute',
            regionId: ['us-east-1', 'eu-west-1', 'ap-southeast-2'][r % 3]!,
            chargeCategory: 'Usage',
            chargeFrequency: 'Usage-Based',
            currency: 'USD',
            tags,
            billedCost: cost,
            effectiveCost: Math.round(cost * 0.8 * 100) / 100,
            listCost: cost,
            contractedCost: cost,
          })
        }
  replaceCosts(
    db,
    [{kind: 'days', source: 'test-bill', provider: 'AWS', billingAccountId: accounts[0]!, from, to}],
    rows,
    {
      source: 'test-bill',
      location: 'generated',
      startedAt: new Date().toISOString(),
      rowsRead: rows.length,
      rowsSkipped: 0,
    },
  )
  return {rows: rows.length, from, to}
}

/** A filled store and the totals a restore of it must give back. */
export interface BackedUpStore {
  range: {from: string; to: string}
  keys: readonly string[]
  totals: Totals
}

/** About 12 MB of bill, above the 8 MiB S3 part and GCS chunk size, so it goes up in several requests. */
function fillLargeStore(db: Db, keys: readonly string[]): BackedUpStore {
  const range = fillCostStore(db, {resources: 4})
  return {range, keys, totals: storeTotals(db, keys, range.from, range.to)}
}

/** A large store file at `file` (its directory made) for the CLI: its WAL folded in, closed. */
export function writeLargeStore(file: string, keys: readonly string[]): BackedUpStore {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  const db = openStore(file)
  try {
    const filled = fillLargeStore(db, keys)
    db.pragma('wal_checkpoint(TRUNCATE)')
    return filled
  } finally {
    db.close()
  }
}

/** A large store in a fresh temporary directory, open, for backupStore. */
export function largeTempStore(keys: readonly string[]): TempStore & BackedUpStore {
  const store = tempStore()
  return {...store, ...fillLargeStore(store.db, keys)}
}

/** The totals of the store file `file` (opened read-only) over `source`'s keys and days. */
export function totalsOfFile(file: string, source: Omit<BackedUpStore, 'totals'>): Totals {
  const db = openStore(file, {intent: 'read'})
  try {
    return storeTotals(db, source.keys, source.range.from, source.range.to)
  } finally {
    db.close()
  }
}

/** Restores the newest backup at `from` onto a fresh path: it must be `made`, with `source`'s totals. */
export async function expectRestoresExactly(
  from: BackupLocation,
  made: {name: string; sha256: string},
  source: BackedUpStore,
): Promise<void> {
  const restored = tempDir()
  try {
    const file = path.join(restored.dir, 'finops.db')
    const result = await restoreStore({store: file, from, confirmed: false})
    expect(result).toMatchObject({replaced: false, backup: {name: made.name, sha256: made.sha256}})
    expectSameTotals(totalsOfFile(file, source), source.totals)
  } finally {
    restored.cleanup()
  }
}

/** A bucket of an object-store stand-in, as the retention check needs it. */
export interface StandInBucket {
  setPageSize(size: number): void
  /** Puts an object finops did not write. */
  putForeign(key: string): void
  keys(): string[]
}

/**
 * Retention against a bucket that lists two objects a page and holds objects finops did not write
 * under the prefix: four hourly backups with keep 2 leave the two newest and every foreign object.
 */
export async function expectRetentionKeepsOnlyOurs(to: BackupLocation, bucket: StandInBucket): Promise<void> {
  const prefix = to.scheme === 'file' ? '' : to.prefix
  const foreign = ['README.txt', 'finops-20200101T000000000Z.db', 'other/finops-20200101T000000000Z.db'].map(
    (name) => `${prefix}${name}`,
  )
  for (const key of foreign) bucket.putForeign(key)
  bucket.setPageSize(2)
  const small = tempStore()
  try {
    for (const hour of ['01', '02', '03', '04'])
      await backupStore(small.db, {to, now: new Date(`2026-11-30T${hour}:00:00Z`), retention: {keep: 2}})
  } finally {
    small.cleanup()
    bucket.setPageSize(1000)
  }
  expect((await listBackups(to)).map((b) => b.createdAt)).toEqual([
    '2026-11-30T04:00:00.000Z',
    '2026-11-30T03:00:00.000Z',
  ])
  const keys = bucket.keys()
  for (const key of foreign) expect(keys).toContain(key)
  expect(keys).toHaveLength(foreign.length + 4)
}
