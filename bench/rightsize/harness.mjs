// Shared plumbing of the rightsizing benchmarks: OpenMetrics writing, a real Prometheus, the store's
// inventory and the built CLI.
/* global fetch */
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {STEP_SECONDS} from './traces.mjs'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const dist = (p) => import(path.join(root, 'dist', 'src', p))

export const podName = (spec) =>
  `${spec.workload}-5d8f7c9b4-${((spec.index * 7919) % 100_000).toString(36).padStart(5, 'x')}`
const labelsOf = (spec) => `namespace="${spec.namespace}",pod="${podName(spec)}",container="${spec.container}"`

/**
 * Writes OpenMetrics for `count` containers, one metric family at a time (the format wants each
 * family contiguous). `get(i)` returns {spec, cpu, observed, ooms} for the first `steps` steps and is
 * called once per family, so large runs can regenerate traces instead of holding them.
 */
export function writeOpenMetrics(file, count, get, start, steps) {
  const fd = fs.openSync(file, 'w')
  let buffer = ''
  const put = (line) => {
    buffer += line
    if (buffer.length > 1 << 20) {
      fs.writeSync(fd, buffer)
      buffer = ''
    }
  }
  put('# TYPE container_cpu_usage_seconds counter\n')
  for (let c = 0; c < count; c++) {
    const {spec, cpu} = get(c)
    const l = labelsOf(spec)
    let total = 1000 // a counter that started before the window
    for (let i = 0; i < steps; i++) {
      total += cpu[i] * STEP_SECONDS
      put(`container_cpu_usage_seconds_total{${l}} ${total.toFixed(3)} ${start + i * STEP_SECONDS}\n`)
    }
  }
  put('# TYPE container_memory_working_set_bytes gauge\n')
  for (let c = 0; c < count; c++) {
    const {spec, observed} = get(c)
    const l = labelsOf(spec)
    for (let i = 0; i < steps; i++)
      put(`container_memory_working_set_bytes{${l}} ${Math.round(observed[i])} ${start + i * STEP_SECONDS}\n`)
  }
  // kube-state-metrics: restarts and the last termination reason of containers that were OOM-killed.
  const oomed = []
  for (let c = 0; c < count; c++) {
    const {spec, ooms} = get(c)
    if (ooms.length > 0) oomed.push({spec, ooms: new Set(ooms), first: ooms[0]})
  }
  put('# TYPE kube_pod_container_status_restarts counter\n')
  for (const c of oomed) {
    const l = labelsOf(c.spec)
    let restarts = 0
    for (let i = 0; i < steps; i++) {
      if (c.ooms.has(i)) restarts++
      put(`kube_pod_container_status_restarts_total{${l}} ${restarts} ${start + i * STEP_SECONDS}\n`)
    }
  }
  put('# TYPE kube_pod_container_status_last_terminated_reason gauge\n')
  for (const c of oomed) {
    const l = `${labelsOf(c.spec)},reason="OOMKilled"`
    for (let i = c.first; i < steps; i++)
      put(`kube_pod_container_status_last_terminated_reason{${l}} 1 ${start + i * STEP_SECONDS}\n`)
  }
  put('# EOF\n')
  fs.writeSync(fd, buffer)
  fs.closeSync(fd)
}

/** The inventory `collect k8s` would store: one single-pod Deployment per container. */
export function inventoryOf(specs, restartsOf, collectedAt) {
  const workloads = specs.map((spec, i) => ({
    cluster: 'bench',
    namespace: spec.namespace,
    kind: 'Deployment',
    name: spec.workload,
    replicas: 1,
    containers: [
      {
        name: spec.container,
        requests: {cpu: spec.cpuRequest, memory: spec.memoryRequest},
        limits: {memory: spec.memoryLimit},
      },
    ],
    initContainers: [],
    labels: {},
    annotations: {},
    podLabels: {app: spec.workload},
    selector: {app: spec.workload},
    owners: [],
    pdbs: [],
    volumes: [],
    placement: {nodeSelector: {}, tolerations: [], requiredNodeAffinity: [], nodes: []},
    pods: [{name: podName(spec), containers: [{name: spec.container, restarts: restartsOf(i)}]}],
    restarts: restartsOf(i),
  }))
  const namespaces = [...new Set(specs.map((s) => s.namespace))].map((name) => ({
    cluster: 'bench',
    name,
    labels: {},
    annotations: {},
  }))
  return {cluster: 'bench', collectedAt, workloads, nodes: [], namespaces, warnings: []}
}

export function buildTsdb(om, tsdb) {
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', om, tsdb], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

/**
 * Starts Debian's prometheus on the TSDB; returns its URL, its CPU seconds so far (user + system,
 * from /proc) and an async stop function that resolves only once the process has exited, so the
 * caller can remove the TSDB (Prometheus still writes its WAL and lock file while shutting down;
 * removing the directory before that fails with ENOTEMPTY).
 */
export async function startPrometheus(dir, tsdb) {
  const port = await freePort()
  fs.writeFileSync(path.join(dir, 'prom.yml'), 'global: {scrape_interval: 15s}\n')
  const child = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prom.yml')}`,
      `--storage.tsdb.path=${tsdb}`,
      '--storage.tsdb.retention.time=90d',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    {stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'prometheus.log'), 'w')]},
  )
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    // A loaded machine can take a while to flush the head block; do not wait for ever.
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    await exited
    clearTimeout(killer)
  }
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return {url, stop, cpuSeconds: () => cpuSecondsOf(child.pid)}
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  await stop()
  throw new Error(`Prometheus did not become ready (see ${path.join(dir, 'prometheus.log')})`)
}

/** User + system CPU seconds of a running process (Linux /proc; fields 14 and 15 of stat, in clock ticks). */
export function cpuSecondsOf(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/**
 * Runs the built CLI with --json; returns its parsed output, wall seconds, and peak RSS in MB and
 * CPU seconds (user + system) from /usr/bin/time when present.
 */
export function runCli(argv, env) {
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
  const [bin, ...pre] = timeBin ? [timeBin, '-f', 'maxrss_kb=%M cpu_s=%U+%S', process.execPath] : [process.execPath]
  const started = Date.now()
  const res = spawnSync(bin, [...pre, path.join(root, 'bin', 'run.js'), ...argv], {
    env,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  })
  const seconds = (Date.now() - started) / 1000
  if (res.status !== 0)
    throw new Error(
      `finops ${argv.slice(0, 2).join(' ')} exited ${res.status}: ${res.stderr}\n${String(res.stdout ?? '').slice(0, 2000)}`,
    )
  const rss = /maxrss_kb=(\d+)/.exec(res.stderr ?? '')
  const cpu = /cpu_s=([\d.]+)\+([\d.]+)/.exec(res.stderr ?? '')
  return {
    json: JSON.parse(res.stdout),
    seconds,
    peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : undefined,
    cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined,
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address()
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}
