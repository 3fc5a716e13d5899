import {redact} from '../errors.js'

/** One line of the run log: JSON, so log pipelines (Loki, CloudWatch, Cloud Logging) index the fields. */
export interface RunLogEntry {
  time: string
  level: 'info' | 'warn' | 'error'
  runId: string
  /** 'run' for the start/end lines, else the step name. */
  step: string
  event: 'start' | 'finish' | 'skip' | 'note'
  status?: 'ok' | 'skipped' | 'failed' | 'partial' | 'locked'
  durationMs?: number
  reason?: string
  [key: string]: unknown
}

/** Writes one JSON line per entry, every string redacted (a step's error may quote a URL with a token). */
export function createRunLogger(runId: string, write: (line: string) => void = (line) => process.stdout.write(line)) {
  return (entry: Omit<RunLogEntry, 'time' | 'runId' | 'level'> & {level?: RunLogEntry['level']}): void => {
    const full = {time: new Date().toISOString(), level: entry.level ?? 'info', runId, ...entry}
    write(`${redact(JSON.stringify(full))}\n`)
  }
}

export type RunLogger = ReturnType<typeof createRunLogger>
