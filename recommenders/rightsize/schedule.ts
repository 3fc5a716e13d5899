import type {Histogram} from '../../src/model/k8s.js'
import type {RightsizeSettings} from '../settings.js'
import {overrunOptimum} from './overrun.js'

/** A CPU request per UTC hour of the day, for in-place pod resize (cores). */
export interface CpuSchedule {
  /** 24 requests, hour 0 (00:00-01:00 UTC) first. */
  hourly: number[]
  /** Resizes a day: hours whose request differs from the hour before (cyclically). */
  changesPerDay: number
  low: number
  high: number
  /** The time-weighted request, what the schedule pays for. */
  mean: number
}

/**
 * The hour-of-day request profile of a load with a daily pattern: each hour's request is the same
 * overrun optimum as the fixed request (the same price for a sample above it), read from that hour's
 * usage alone, so a batch hour is paid for during that hour and not the 23 others. Pure: `hours` are
 * 24 CPU sketches of the window's usage by UTC hour of day. Hours within `minChangeShare` below the
 * current level keep it (no resize for noise; never below an hour's own optimum). Undefined when an
 * hour has no usage or the profile would not change during the day. By construction it costs no
 * more than the fixed request in request + overrun cost; it may reserve more cores (a batch hour
 * now covered) for far fewer samples above.
 */
export function cpuRequestSchedule(
  hours: readonly Histogram[],
  basis: {overrunCost: number; floorQuantile: number},
  settings: Pick<
    RightsizeSettings,
    'cpuFloor' | 'cpuMargin' | 'cpuHeadroom' | 'minChangeShare' | 'cpuScheduleOverrunFactor'
  >,
): CpuSchedule | undefined {
  if (hours.length !== 24 || hours.some((h) => h.count === 0)) return undefined
  const own = hours.map((h) =>
    roundUpMillis(
      Math.max(
        settings.cpuFloor,
        overrunOptimum(h, 1, basis.overrunCost * settings.cpuScheduleOverrunFactor, basis.floorQuantile) *
          (1 + settings.cpuMargin) +
          settings.cpuHeadroom,
      ),
    ),
  )
  // Start after the busiest hour so the level it sets is not carried into the quiet hours before it.
  const peak = own.indexOf(Math.max(...own))
  const hourly = [...own]
  let level = own[peak]!
  for (let k = 1; k <= 24; k++) {
    const h = (peak + k) % 24
    const want = own[h]!
    if (want > level || want < level * (1 - settings.minChangeShare)) level = want
    hourly[h] = level
  }
  const changesPerDay = hourly.filter((v, h) => v !== hourly[(h + 23) % 24]).length
  if (changesPerDay === 0) return undefined
  const mean = hourly.reduce((s, v) => s + v, 0) / 24
  return {hourly, changesPerDay, low: Math.min(...hourly), high: Math.max(...hourly), mean}
}

const roundUpMillis = (cores: number): number => Math.ceil(cores * 1000 - 1e-9) / 1000
