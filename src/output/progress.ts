import cliProgress from 'cli-progress'

import type {ImportProgress} from '../collectors/focus/index.js'

/**
 * The one progress display of long work (collect focus, k8s, usage, cloud paging): cli-progress on
 * stderr, and only when stderr is a terminal and the command is not writing JSON. Piped, redirected or
 * in a CI log (no TTY) nothing is drawn, so stdout and --json are never touched.
 */
export function showsProgress(stream: NodeJS.WriteStream, json: boolean): boolean {
  return stream.isTTY === true && !json
}

/** Progress of work counted in `unit`s: a bar once the total is known, else a running count. */
export interface ProgressDisplay {
  /** `done` so far; with `total`, of that many. `label` names what is being worked on now. */
  update: (done: number, total?: number, label?: string) => void
  /** Clears the display; safe to call more than once, or when nothing was drawn. */
  stop: () => void
}

/** A display on `stream` when it should show (see showsProgress), else one that draws nothing. */
export function progressDisplay(stream: NodeJS.WriteStream, json: boolean, unit: string): ProgressDisplay {
  if (!showsProgress(stream, json)) return {update: () => {}, stop: () => {}}
  return countingBar(stream, unit)
}

/** The display itself, drawn whatever the stream is (tests give it a fake terminal). */
export function countingBar(stream: NodeJS.WritableStream, unit: string): ProgressDisplay {
  const bar = new cliProgress.SingleBar(
    {
      format: (options, params, payload: {label: string; known: boolean}) => {
        const label = payload.label ? `${payload.label} ` : ''
        const done = params.value.toLocaleString('en-US')
        if (!payload.known) return `${label}${done} ${unit}`
        const drawn = cliProgress.Format.BarFormat(params.progress, options)
        return `${label}[${drawn}] ${done}/${params.total.toLocaleString('en-US')} ${unit}`
      },
      stream,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  )
  let running = false
  return {
    update(done, total, label = '') {
      const payload = {label, known: total !== undefined}
      if (!running) {
        bar.start(total ?? 0, done, payload)
        running = true
      }
      if (total !== undefined) bar.setTotal(total)
      bar.update(done, payload)
    },
    stop() {
      if (running) bar.stop()
      running = false
    },
  }
}

export interface ImportProgressBar {
  update: (progress: ImportProgress) => void
  stop: () => void
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0)

/**
 * One bar for a whole import, however many files: megabytes read of the total, read rate and ETA
 * while DuckDB scans; then the daily rows written to the store.
 */
export function importProgressBar(stream: NodeJS.WritableStream): ImportProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} [{bar}] {percentage}% | {done}/{size} MB | {rate} | {eta_formatted}',
      stream,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  )
  const started = Date.now()
  let running = false
  return {
    update(progress) {
      if (!running) {
        bar.start(progress.bytesTotal, 0, {phase: 'reading', done: '0', size: mb(progress.bytesTotal), rate: ''})
        running = true
      }
      const seconds = Math.max(0.001, (Date.now() - started) / 1000)
      bar.update(progress.bytesDone, {
        phase: progress.phase === 'reading' ? 'reading' : 'writing',
        done: mb(progress.bytesDone),
        size: mb(progress.bytesTotal),
        rate:
          progress.phase === 'reading'
            ? `${(progress.bytesDone / 1e6 / seconds).toFixed(0)} MB/s, ${Math.round(progress.rowsRead / seconds).toLocaleString('en-US')} rows/s`
            : `${progress.groupsWritten.toLocaleString('en-US')} daily rows written`,
      })
    },
    stop() {
      if (running) bar.stop()
    },
  }
}

/** A cloud source's request listener that counts its requests (pages and retries) on `display`. */
export const countRequests =
  (display: ProgressDisplay, label: string) =>
  (sent: {requests: number; retries: number}): void =>
    display.update(sent.requests, undefined, sent.retries > 0 ? `${label} (${sent.retries} retried)` : label)
