import type {CpuSchedule} from './schedule.js'

/** How a request schedule is offered: its 24 hourly requests and the note that prices it next to the fixed request. */
export interface ScheduleOffer {
  hourly: number[]
  note: (scheduleSavings: number, currency: string) => string
}

/**
 * The hour-of-day request as an offer beside the fixed one. `monthlySavings` stays the fixed
 * request's, because that is what `finops apply` sets: promising the schedule's savings would make
 * the savings ledger and the budget export count money apply never moves. The note prices the
 * schedule on its time-weighted mean (what the cluster would reserve) and says what it depends on.
 */
export function scheduleOffer(schedule: CpuSchedule): ScheduleOffer {
  return {
    hourly: [...schedule.hourly],
    note: (scheduleSavings, currency) =>
      `the hour-of-day request (cpuRequestByHour, ${Math.round(schedule.mean * 1000)}m on average) would save ` +
      `${scheduleSavings.toFixed(2)} ${currency}/month instead; finops apply sets the fixed request, since the ` +
      'hourly one needs an in-place pod resize (Kubernetes 1.33+) each hour it changes, and a missed resize leaves ' +
      "a busy hour on a quiet hour's request",
  }
}
