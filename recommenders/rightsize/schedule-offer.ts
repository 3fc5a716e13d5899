import type {RiskLevel} from '../../src/model/recommendation.js'
import type {CpuSchedule} from './schedule.js'

/** How a request schedule is offered: its 24 hourly requests and the note that compares it with the fixed request. */
export interface ScheduleOffer {
  hourly: number[]
  note: (fixedSavings: number, currency: string) => string
}

/**
 * The hour-of-day request as a proposal: savings are priced on the schedule's time-weighted mean
 * (what the cluster reserves), and the note says what the fixed request alone would save, since
 * `cpuRequest` stays the fallback a new pod starts with until its first resize.
 */
export function scheduleOffer(schedule: CpuSchedule): ScheduleOffer {
  return {
    hourly: [...schedule.hourly],
    note: (fixedSavings, currency) =>
      `savings priced on the hour-of-day request (${Math.round(schedule.mean * 1000)}m on average); ` +
      `the fixed request alone would save ${fixedSavings.toFixed(2)} ${currency}/month`,
  }
}

/** What a request that follows the clock depends on, as a risk reason (medium at least). */
export function withScheduleRisk(risk: {level: RiskLevel; reasons: string[]}): {level: RiskLevel; reasons: string[]} {
  const reason =
    'the CPU request follows the hour of day: it needs in-place pod resize (Kubernetes 1.33+) each hour it changes, ' +
    "and a missed resize leaves a busy hour on a quiet hour's request"
  const reasons = risk.reasons.filter((r) => r !== 'usage history covers the proposal with headroom')
  return {level: risk.level === 'low' ? 'medium' : risk.level, reasons: [...reasons, reason]}
}
