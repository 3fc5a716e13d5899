/**
 * Starts Debian's real `prometheus` on 127.0.0.1 with history loaded through
 * `promtool tsdb create-blocks-from openmetrics`. Under CI=true a missing binary is an error (the
 * test fails); elsewhere `prometheusAvailable()` lets a suite skip.
 */
import {execFile, spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)

export const PROMETHEUS_BIN = process.env.FINOPS_PROMETHEUS_BIN ?? '/usr/bin/prometheus'
export const PROMTOOL_BIN = process.env.FINOPS_PROMTOOL_BIN ?? '/usr/bin/promtool'

/** True when both binaries exist; under CI=true their absence throws so the suite fails loudly. */
export function prometheusAvailable(): boolean {
  const ok = fs.existsSync(PROMETHEUS_BIN) && fs.existsSync(PROMTOOL_BIN)
  if (!ok && process.env.CI === 'true')
    throw new Error(
      `prometheus/promtool not found at ${PROMETHEUS_BIN} / ${PROMTOOL_BIN}: apt-get install -y prometheus`,
    )
  return ok
}

export interface RunningPrometheus {
  url: string
  close: () => Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
}

/**
 * Writes `openMetrics` (must end with `# EOF`, timestamps in seconds) into TSDB blocks under `dir`
 * and serves them. Retention is 90 days so old test data is not dropped.
 */
export async function startPrometheus(dir: string, openMetrics: string): Promise<RunningPrometheus> {
  fs.mkdirSync(dir, {recursive: true})
  const data = path.join(dir, 'data.om')
  fs.writeFileSync(data, openMetrics)
  return startPrometheusFromFile(dir, data)
}

/** The same, from an OpenMetrics file already written (large histories are streamed to disk). */
export async function startPrometheusFromFile(dir: string, data: string): Promise<RunningPrometheus> {
  const tsdb = path.join(dir, 'tsdb')
  fs.mkdirSync(tsdb, {recursive: true})
  await run(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', data, tsdb], {
    maxBuffer: 64 * 1024 * 1024,
  })
  fs.writeFileSync(path.join(dir, 'prom.yml'), 'global: {scrape_interval: 15s}\n')
  const port = await freePort()
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, 'prom.yml')}`,
      `--storage.tsdb.path=${tsdb}`,
      '--storage.tsdb.retention.time=90d',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    {stdio: ['ignore', 'ignore', 'pipe']},
  )
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr += d))
  const url = `http://127.0.0.1:${port}`
  // Ready when /-/ready answers 200 (normally well under a second).
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr.slice(-500)}`)
    try {
      const response = await fetch(`${url}/-/ready`)
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error(`prometheus did not become ready: ${stderr.slice(-500)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** Escapes a label value for the OpenMetrics text format. */
export const omLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
