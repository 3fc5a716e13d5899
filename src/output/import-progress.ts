import cliProgress from 'cli-progress'

import type {ImportProgress} from '../collectors/focus/index.js'

export interface ImportProgressBar {
  update: (progress: ImportProgress) => void
  stop: () => void
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0)

/**
 * One bar for a whole import, however many files: megabytes read of the total, read rate and ETA
 * while DuckDB scans; then the daily rows written to the store.
 */
export function importProgressBar(stream: NodeJS.WriteStream): ImportProgressBar {
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
