import {addDays, monthStart, parseDay, reversedWindowError, WINDOW_END, WINDOW_START} from '../dates.js'
import type {Watermark} from '../store/watermarks.js'

/** How far back each run re-collects, and how far the first run reaches. */
export interface WindowSettings {
  /** Days before the watermark re-collected on every run, because providers restate recent days. */
  restatementDays: number
  /** Days the first run (no watermark yet) collects. */
  initialDays: number
}

export interface CollectWindow {
  from: string
  to: string
  /** After this run, days up to here are settled (outside the restatement window and the current month). */
  finalThrough: string
}

/**
 * The days a run collects. An explicit start and end win. Otherwise: from the watermark minus the
 * restatement window, and never later than the first unsettled day, so the current month (which
 * providers restate until the invoice closes) is re-collected on every run; to = yesterday (UTC),
 * the last complete day.
 */
export function planWindow(input: {
  today: string
  watermark?: Watermark
  from?: string
  to?: string
  settings: WindowSettings
}): CollectWindow {
  const {today, watermark, settings} = input
  const to = input.to ? parseDay(input.to, WINDOW_END) : addDays(today, -1)
  let from: string
  if (input.from) from = parseDay(input.from, WINDOW_START)
  else if (watermark) {
    const restated = addDays(watermark.collectedThrough, 1 - settings.restatementDays)
    const unsettled = addDays(watermark.finalThrough, 1)
    from = restated < unsettled ? restated : unsettled
    // Nothing new since the watermark: re-collect the restatement window, at least the last day.
    if (from > to) from = addDays(to, 1 - Math.max(1, settings.restatementDays))
  } else from = addDays(to, 1 - settings.initialDays)
  if (from > to) throw reversedWindowError(from, to, 'give a window that ends on or after its start')
  const beforeRestatement = addDays(to, -settings.restatementDays)
  const beforeMonth = addDays(monthStart(today), -1)
  const settled = beforeRestatement < beforeMonth ? beforeRestatement : beforeMonth
  return {from, to, finalThrough: settled < from ? addDays(from, -1) : settled}
}
