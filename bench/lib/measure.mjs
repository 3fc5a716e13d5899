// Runs a command as a child process and reports its wall time and peak RSS (from GNU time's
// "Maximum resident set size") and CPU seconds (user + system: on a loaded machine the wall time
// includes waiting for a core, the CPU time does not), so every measured program is measured the same way.
import {spawn} from 'node:child_process'

/** @returns {Promise<{wallMs: number, maxRssMb: number, cpuS: number, stdout: string, stderr: string, code: number}>} */
export function measure(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn('/usr/bin/time', ['-f', '__MAXRSS_KB=%M\n__CPU_S=%U %S', command, ...args], {
      env: {...process.env, ...options.env},
      cwd: options.cwd,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6
      const match = /__MAXRSS_KB=(\d+)/.exec(stderr)
      const cpu = /__CPU_S=([\d.]+) ([\d.]+)/.exec(stderr)
      resolve({
        wallMs,
        maxRssMb: match ? Number(match[1]) / 1024 : NaN,
        cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN,
        stdout,
        stderr: stderr.replace(/__MAXRSS_KB=\d+\n?/, '').replace(/__CPU_S=[\d.]+ [\d.]+\n?/, ''),
        code: code ?? -1,
      })
    })
  })
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Runs `fn` n times alternating with `other`, so machine noise hits both alike; returns both medians. */
export async function interleaved(n, fn, other) {
  const a = []
  const b = []
  for (let i = 0; i < n; i++) {
    a.push(await fn())
    b.push(await other())
  }
  return [median(a), median(b)]
}
