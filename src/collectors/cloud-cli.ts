import {Flags} from '@oclif/core'

import type {FinopsConfig} from '../config/index.js'
import {addDays, parseDay, today, WINDOW_END, WINDOW_START} from '../dates.js'
import {usageError} from '../errors.js'
import {checkCollectWindow} from './cloud-window.js'
import {parseByteSize} from './focus/budget.js'
import type {RunSettings} from './source-collector.js'

/** Flags every cloud collect command shares: the window and the restatement override. */
export const windowFlags = {
  from: Flags.string({
    description: 'first day to collect (YYYY-MM-DD); default: the watermark minus the restatement window',
  }),
  to: Flags.string({description: 'last day to collect (YYYY-MM-DD); default: yesterday (UTC)'}),
  'restatement-days': Flags.integer({
    min: 0,
    max: 60,
    description: 'days before the watermark re-collected (default: sources.restatementDays, 3)',
  }),
}

/** Hidden: points the SDK at another endpoint (private endpoints, sovereign clouds, the test servers). */
export const endpointFlag = Flags.string({hidden: true, description: 'API endpoint override'})

export const groupByFlag = Flags.string({description: 'extra grouping beyond service and account: region or tag:<key>'})

export function checkGroupBy(value: string | undefined): string | undefined {
  if (value !== undefined && !/^(region|tag:.+)$/.test(value))
    throw usageError(`--group-by ${value}: expected region or tag:<key>`, 'for example --group-by tag:team')
  return value
}

/** Run settings from `sources:` in finops.yaml, overridden by flags. */
export function runSettings(
  config: FinopsConfig,
  flags: {from?: string; to?: string; 'restatement-days'?: number},
): RunSettings {
  const from = flags.from ? parseDay(flags.from, WINDOW_START) : undefined
  const to = flags.to ? parseDay(flags.to, WINDOW_END) : undefined
  // Checked here, before credentials, the store or any request.
  if (from) checkCollectWindow(from, to ?? addDays(today(), -1))
  return {
    restatementDays: flags['restatement-days'] ?? config.sources.restatementDays,
    initialDays: config.sources.initialDays,
    retry: config.sources.retry,
    from,
    to,
    focusImport: {
      // The config schema has checked the size; undefined means the default budget.
      memoryBytes: config.import.memory === undefined ? undefined : parseByteSize(config.import.memory),
      tempDirectory: config.import.tempDirectory,
    },
  }
}
