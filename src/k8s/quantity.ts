/**
 * Kubernetes resource quantities ("100m", "1.5", "512Mi", "1G", "2e3") to numbers: CPU in cores,
 * memory in bytes. Undefined for absent or unparseable values, so a typo in a manifest reads as
 * "not set" rather than as zero.
 */
/** Bytes in a mebibyte and a gibibyte (memory is counted in bytes). */
export const MIB = 2 ** 20
export const GIB = 2 ** 30

// Sub-unit suffixes divide (so '1900m' is exactly 1.9, not 1.9000000000000001).
const DIVISORS: Record<string, number> = {n: 1e9, u: 1e6, m: 1e3}
const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

export function parseQuantity(value: string | number | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(value.trim())
  if (!match) return undefined
  const divisor = DIVISORS[match[2]!]
  if (divisor !== undefined) return Number(match[1]) / divisor
  const factor = SUFFIXES[match[2]!]
  if (factor === undefined) return undefined
  return Number(match[1]) * factor
}

/** Cores as Kubernetes writes them: whole cores plain, otherwise millicores ("250m"). */
export function formatCpu(cores: number): string {
  const milli = Math.ceil(cores * 1000 - 1e-9)
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`
}

/** Bytes as a Kubernetes quantity in the largest binary unit that keeps it whole-ish (Mi at least). */
export function formatMemory(bytes: number): string {
  const mi = Math.ceil(bytes / 2 ** 20 - 1e-9)
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`
}
