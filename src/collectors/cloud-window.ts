import {
  addDays,
  daysBetween,
  MAX_WINDOW_DAYS,
  monthStart,
  parseDay,
  reversedWindowError,
  WINDOW_END,
  WINDOW_START,
} from '../dates.js'
import {usageError} from '../errors.js'
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
  checkCollectWindow(from, to)
  const beforeRestatement = addDays(to, -settings.restatementDays)
  const beforeMonth = addDays(monthStart(today), -1)
  const settled = beforeRestatement < beforeMonth ? beforeRestatement : beforeMonth
  return {from, to, finalThrough: settled < from ? addDays(from, -1) : settled}
}

/** Each day is requested, held and written: a window typed by mistake (--from 0001-01-01) is refused before any request. */
export function checkCollectWindow(from: string, to: string): void {
  const width = daysBetween(from, to) + 1
  if (width > MAX_WINDOW_DAYS)
    throw usageError(
      `the window ${from} to ${to} spans ${width.toLocaleString('en-US')} days; a collection covers at ` +
        `most ${MAX_WINDOW_DAYS.toLocaleString('en-US')} days at once`,
      'collect a shorter window (billing APIs keep a few years at most)',
    )
}
