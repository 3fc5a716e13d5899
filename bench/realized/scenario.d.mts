// Types of scenario.mjs for the TypeScript tests that use it.
import type {Db} from '../../src/store/open.js'

export declare const CLASSES: readonly string[]

export interface ScenarioTruth {
  actionId: string
  class: string
  kind: 'rightsize' | 'scale-down' | 'spot'
  promisedMonthly: number
  realizedMonthly: number | null
  naiveMonthly: number | null
  reverted: boolean
  fought: boolean
}

export interface RealizedScenario {
  cluster: string
  days: string[]
  asOf: string
  journal: {id: string; kind: string; target: {namespace: string; kind: string; name: string; container?: string}}[]
  truth: ScenarioTruth[]
  history: {containers: unknown[]; nodes: unknown[]; coverage: unknown[]}
  inventory: unknown
  config: {kubernetes: {prices: Record<string, unknown>}}
}

export declare function generateRealizedScenario(options: {
  seed?: number
  workloads?: number
  days?: number
  start?: string
  prices: {onDemandHourly: number; spotRatio: number; cpuToMemoryRatio: number}
}): RealizedScenario

export declare function writeScenario(
  db: Db,
  scenario: RealizedScenario,
  store: Record<string, (...args: never[]) => unknown>,
): void
