// A cluster scenario for the realized-savings ledger: workloads whose kube-state-metrics history
// (container-hours, requests, usage per node and day) is generated for a window, with changes applied
// mid-window and recorded in the apply journal as finops records them. Some changes deliver, some are
// reverted by a deploy, one is fought (reverted, re-applied, reverted again), some see their load
// change at the same time, some run hot above their new requests. The truth of each action is
// computed from the scenario itself: the cost of every measured day as it happened and as it would
// have been without the change (same pods, usage and nodes; the before requests, the on-demand
// node, or the before replicas), charged as cost allocation charges (max of request and usage at
// the node's per-core and per-GiB rates).
//
// Plain data out (generateRealizedScenario); writeScenario puts it into a store through the store's
// own functions, passed in, so the benchmark (built code) and the tests (sources) share this file.

const GIB = 2 ** 30
const HOURS_PER_MONTH = 730
const APPLY_HOUR = 10

/** mulberry32 (as src/seeded-random.ts). */
function random(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
const cpuQuantity = (cores) => `${Math.round(cores * 1000)}m`
const memoryQuantity = (gib) => `${Math.round(gib * 1024)}Mi`

/** The classes, in the order workloads cycle through them. */
export const CLASSES = [
  'rightsize',
  'rightsize-load',
  'rightsize-reverted',
  'rightsize-hot',
  'spot',
  'spot-load',
  'scale-down',
  'scale-down-reverted',
  'rightsize-fought',
  'control',
]

/**
 * @param {{
 *   seed?: number, workloads?: number, days?: number, start?: string,
 *   prices: {onDemandHourly: number, spotRatio: number, cpuToMemoryRatio: number}
 * }} options
 */
export function generateRealizedScenario(options) {
  const rand = random(options.seed ?? 42)
  const pick = (xs) => xs[Math.floor(rand() * xs.length)]
  const n = options.workloads ?? 40
  const days = options.days ?? 42
  const start = options.start ?? '2026-10-01'
  const cluster = 'bench'
  const instanceType = 'm5.24xlarge'
  const node = {cores: 96, memoryGiB: 384}
  const {onDemandHourly, spotRatio, cpuToMemoryRatio} = options.prices
  // The node price split as allocation splits it (OpenCost's ratio): per core-hour and per GiB-hour.
  const split = (hourly) => {
    const memoryGiBHour = hourly / (node.cores * cpuToMemoryRatio + node.memoryGiB)
    return {cpu: memoryGiBHour * cpuToMemoryRatio, memory: memoryGiBHour}
  }
  const rates = {'on-demand': split(onDemandHourly), spot: split(onDemandHourly * spotRatio)}
  const dayList = Array.from({length: days}, (_, i) => addDays(start, i))

  // Workload plans: a state per day (replicas, requests, capacity type, usage per pod), and the journal.
  const workloads = []
  for (let i = 0; i < n; i++) {
    const cls = CLASSES[i % CLASSES.length]
    const namespace = `team-${'abcde'[i % 5]}`
    const name = `${cls}-${i}`
    const replicas = 2 + Math.floor(rand() * 4)
    const idle = cls.startsWith('scale-down')
    const cpu = pick([0.5, 1, 1.5, 2])
    const memoryGiB = pick([1, 2, 3, 4])
    const cpuUse = cpu * (idle ? 0.02 : 0.15 + rand() * 0.25)
    const memoryUse = memoryGiB * (idle ? 0.1 : 0.25 + rand() * 0.2)
    const applyAt = Math.floor(days * 0.45) + Math.floor(rand() * 5)
    const newCpu = Math.max(0.05, Math.ceil(cpuUse * 1.6 * 20) / 20)
    const newMemoryGiB = Math.max(0.25, Math.ceil(memoryUse * 1.4 * 8) / 8)
    const revertAt = applyAt + 3 + Math.floor(rand() * 5)
    const loadFactor = 1.5 + rand()
    workloads.push({
      i,
      cls,
      namespace,
      name,
      team: `team-${'abcde'[i % 5]}`,
      replicas,
      cpu,
      memoryGiB,
      cpuUse,
      memoryUse,
      applyAt,
      newCpu,
      newMemoryGiB,
      revertAt,
      loadFactor,
      node: `od-${i % 8}`,
      spotNode: `spot-${i % 4}`,
    })
  }

  /** The state of a workload in hour h (0-23) of day index d. */
  function stateAt(w, d, h) {
    const t = d + h / 24
    const applied = t >= w.applyAt + APPLY_HOUR / 24
    const s = {
      replicas: w.replicas,
      cpu: w.cpu,
      memoryGiB: w.memoryGiB,
      capacity: 'on-demand',
      node: w.node,
      cpuUse: w.cpuUse,
      memoryUse: w.memoryUse,
    }
    const load = d >= w.applyAt + 2 ? w.loadFactor : 1
    switch (w.cls) {
      case 'rightsize':
        if (applied) Object.assign(s, {cpu: w.newCpu, memoryGiB: w.newMemoryGiB})
        break
      case 'rightsize-load':
        if (applied) Object.assign(s, {cpu: w.newCpu, memoryGiB: w.newMemoryGiB})
        // An HPA adds pods as traffic grows two days after the change.
        s.replicas = Math.round(w.replicas * load)
        break
      case 'rightsize-reverted':
        if (applied && d < w.revertAt) Object.assign(s, {cpu: w.newCpu, memoryGiB: w.newMemoryGiB})
        break
      case 'rightsize-hot':
        if (applied) Object.assign(s, {cpu: w.newCpu, memoryGiB: w.newMemoryGiB})
        // Traffic per pod grows past the new requests.
        if (d >= w.applyAt + 1) Object.assign(s, {cpuUse: w.newCpu * 1.6, memoryUse: w.newMemoryGiB * 1.3})
        break
      case 'rightsize-fought': {
        // Applied, reverted by the GitOps controller two days later, re-applied by finops, reverted again.
        const reapplied = t >= w.applyAt + 4 + APPLY_HOUR / 24
        const inForce = (applied && d < w.applyAt + 2) || (reapplied && d < w.applyAt + 6)
        if (inForce) Object.assign(s, {cpu: w.newCpu, memoryGiB: w.newMemoryGiB})
        break
      }
      case 'spot':
      case 'spot-load':
        if (applied) Object.assign(s, {capacity: 'spot', node: w.spotNode})
        if (w.cls === 'spot-load') s.replicas = Math.round(w.replicas * load)
        break
      case 'scale-down':
        if (applied) s.replicas = 0
        break
      case 'scale-down-reverted':
        if (applied && d < w.revertAt) s.replicas = 0
        break
    }
    // Usage varies from day to day (and within the day), never the requests.
    return s
  }

  // Daily usage noise per workload and day, drawn once so history and truth see the same values.
  const noise = workloads.map(() => dayList.map(() => 0.9 + rand() * 0.2))

  /** One day's rows of one workload (per node), and their allocated cost; `state` may be a counterfactual. */
  function dayRows(w, d, state = (h) => stateAt(w, d, h)) {
    const rows = new Map()
    for (let h = 0; h < 24; h++) {
      const s = state(h)
      if (s.replicas === 0) continue
      const r = rows.get(s.node) ?? {
        node: s.node,
        capacity: s.capacity,
        pods: 0,
        runningHours: 0,
        cpuRequestCoreHours: 0,
        memoryRequestGiBHours: 0,
        cpuUsageCoreHours: 0,
        memoryUsageGiBHours: 0,
      }
      r.pods = Math.max(r.pods, s.replicas)
      r.runningHours += s.replicas
      r.cpuRequestCoreHours += s.replicas * s.cpu
      r.memoryRequestGiBHours += s.replicas * s.memoryGiB
      r.cpuUsageCoreHours += s.replicas * s.cpuUse * noise[w.i][d]
      r.memoryUsageGiBHours += s.replicas * s.memoryUse * noise[w.i][d]
      rows.set(s.node, r)
    }
    let cost = 0
    for (const r of rows.values()) {
      const rate = rates[r.capacity]
      cost +=
        Math.max(r.cpuRequestCoreHours, r.cpuUsageCoreHours) * rate.cpu +
        Math.max(r.memoryRequestGiBHours, r.memoryUsageGiBHours) * rate.memory
    }
    return {rows: [...rows.values()], cost}
  }

  // The journal: one applied action per changed workload (two for the fought one).
  const journal = []
  const applyTime = (d) => `${dayList[d]}T${String(APPLY_HOUR).padStart(2, '0')}:00:00.000Z`
  for (const w of workloads) {
    const target = {namespace: w.namespace, kind: 'Deployment', name: w.name}
    const containerBefore = {
      name: 'app',
      requests: {cpu: cpuQuantity(w.cpu), memory: memoryQuantity(w.memoryGiB)},
      limits: {},
    }
    const containerAfter = {
      name: 'app',
      requests: {cpu: cpuQuantity(w.newCpu), memory: memoryQuantity(w.newMemoryGiB)},
      limits: {},
    }
    const od = rates['on-demand']
    const rightsize = (d, id) => ({
      id,
      kind: 'rightsize',
      target: {...target, container: 'app'},
      before: {container: containerBefore},
      after: {container: containerAfter},
      at: applyTime(d),
      day: d,
      // What a recommender promises: the request cut on the current pods, at on-demand rates.
      monthlySavings:
        w.replicas * ((w.cpu - w.newCpu) * od.cpu + (w.memoryGiB - w.newMemoryGiB) * od.memory) * HOURS_PER_MONTH,
    })
    if (w.cls.startsWith('rightsize')) journal.push(rightsize(w.applyAt, `act-${w.i}-a`))
    if (w.cls === 'rightsize-fought') journal.push(rightsize(w.applyAt + 4, `act-${w.i}-b`))
    if (w.cls.startsWith('spot'))
      journal.push({
        id: `act-${w.i}-a`,
        kind: 'spot',
        target,
        before: {nodeSelector: {}, tolerations: []},
        after: {
          nodeSelector: {'karpenter.sh/capacity-type': 'spot'},
          tolerations: [{key: 'spot', operator: 'Exists', effect: 'NoSchedule'}],
        },
        at: applyTime(w.applyAt),
        day: w.applyAt,
        monthlySavings:
          w.replicas *
          (w.cpu * (od.cpu - rates.spot.cpu) + w.memoryGiB * (od.memory - rates.spot.memory)) *
          HOURS_PER_MONTH,
      })
    if (w.cls.startsWith('scale-down'))
      journal.push({
        id: `act-${w.i}-a`,
        kind: 'scale-down',
        target,
        before: {replicas: w.replicas},
        after: {replicas: 0},
        at: applyTime(w.applyAt),
        day: w.applyAt,
        monthlySavings: w.replicas * (w.cpu * od.cpu + w.memoryGiB * od.memory) * HOURS_PER_MONTH,
      })
  }

  // Truth per action: every day after its apply day up to the day before the next change of the same target.
  const truth = []
  for (const a of journal) {
    const w = workloads.find((x) => x.name === a.target.name)
    const next = journal.find((o) => o !== a && o.target.name === a.target.name && o.day > a.day)
    const last = next ? next.day - 1 : days - 1
    let saved = 0
    let measured = 0
    const naive = {before: 0, beforeDays: 0, after: 0}
    for (let d = Math.max(0, a.day - 14); d < a.day; d++) {
      naive.before += dayRows(w, d).cost
      naive.beforeDays++
    }
    for (let d = a.day + 1; d <= last; d++) {
      const actual = dayRows(w, d)
      const counterfactual = dayRows(w, d, (h) => {
        const s = stateAt(w, d, h)
        if (a.kind === 'rightsize') return {...s, cpu: w.cpu, memoryGiB: w.memoryGiB}
        if (a.kind === 'spot') return {...s, capacity: 'on-demand', node: w.node}
        return {...s, replicas: w.replicas}
      })
      saved += counterfactual.cost - actual.cost
      naive.after += actual.cost
      measured++
    }
    const reverted = ['rightsize-reverted', 'scale-down-reverted', 'rightsize-fought'].includes(w.cls)
    truth.push({
      actionId: a.id,
      class: w.cls,
      kind: a.kind,
      promisedMonthly: a.monthlySavings,
      realizedMonthly: measured > 0 ? ((saved / measured) * HOURS_PER_MONTH) / 24 : null,
      // What comparing the mean daily cost before with the mean after would say.
      naiveMonthly:
        measured > 0 && naive.beforeDays > 0
          ? ((naive.before / naive.beforeDays - naive.after / measured) * HOURS_PER_MONTH) / 24
          : null,
      reverted: reverted && (w.cls !== 'rightsize-fought' || a.id.endsWith('-b')),
      fought: w.cls === 'rightsize-fought',
    })
  }

  // History rows, nodes and coverage for every day.
  const containers = []
  for (const w of workloads)
    for (let d = 0; d < days; d++)
      for (const r of dayRows(w, d).rows)
        containers.push({
          cluster,
          namespace: w.namespace,
          kind: 'Deployment',
          workload: w.name,
          container: 'app',
          node: r.node,
          day: dayList[d],
          pods: r.pods,
          runningHours: r.runningHours,
          cpuRequestCoreHours: r.cpuRequestCoreHours,
          memoryRequestGiBHours: r.memoryRequestGiBHours,
          cpuUsageCoreHours: r.cpuUsageCoreHours,
          memoryUsageGiBHours: r.memoryUsageGiBHours,
          gpuRequestHours: {},
        })
  const nodeNames = [...Array.from({length: 8}, (_, i) => `od-${i}`), ...Array.from({length: 4}, (_, i) => `spot-${i}`)]
  const nodeLabels = (name) => ({
    'node.kubernetes.io/instance-type': instanceType,
    'topology.kubernetes.io/region': 'us-east-1',
    'karpenter.sh/capacity-type': name.startsWith('spot') ? 'spot' : 'on-demand',
  })
  const nodes = []
  for (const day of dayList)
    for (const [k, name] of nodeNames.entries())
      nodes.push({
        cluster,
        node: name,
        day,
        hours: 24,
        cpuCores: node.cores,
        memoryBytes: node.memoryGiB * GIB,
        gpus: {},
        providerId: `aws:///us-east-1a/i-0${(0xabc000 + k).toString(16)}`,
        labels: nodeLabels(name),
      })
  const coverage = dayList.map((day) => ({
    cluster,
    day,
    namespace: '*',
    through: `${addDays(day, 1)}T00:00:00.000Z`,
    resolutionSeconds: 300,
  }))

  // The snapshot at the end: what each workload looks like now.
  const lastDay = days - 1
  const inventory = {
    cluster,
    collectedAt: `${dayList[lastDay]}T23:30:00.000Z`,
    workloads: workloads.map((w) => {
      const s = stateAt(w, lastDay, 23)
      return {
        cluster,
        namespace: w.namespace,
        kind: 'Deployment',
        name: w.name,
        replicas: s.replicas,
        containers: [{name: 'app', requests: {cpu: s.cpu, memory: s.memoryGiB * GIB}, limits: {}}],
        initContainers: [],
        labels: {app: w.name},
        annotations: {},
        podLabels: {app: w.name},
        selector: {app: w.name},
        owners: [],
        pdbs: [],
        volumes: [],
        placement: {
          nodeSelector: s.capacity === 'spot' ? {'karpenter.sh/capacity-type': 'spot'} : {},
          tolerations: [],
          requiredNodeAffinity: [],
          nodes: [s.node],
        },
        pods: [],
        restarts: 0,
      }
    }),
    nodes: nodeNames.map((name, k) => ({
      cluster,
      name,
      providerId: `aws:///us-east-1a/i-0${(0xabc000 + k).toString(16)}`,
      provider: 'aws',
      instanceId: `i-0${(0xabc000 + k).toString(16)}`,
      instanceType,
      region: 'us-east-1',
      capacityType: name.startsWith('spot') ? 'spot' : 'on-demand',
      capacityTypeSource: 'karpenter.sh/capacity-type',
      allocatable: {cpu: node.cores, memory: node.memoryGiB * GIB},
      capacity: {cpu: node.cores, memory: node.memoryGiB * GIB},
      labels: nodeLabels(name),
      annotations: {},
      taints: [],
    })),
    namespaces: [...new Set(workloads.map((w) => w.namespace))].map((name) => ({
      cluster,
      name,
      labels: {team: name},
      annotations: {},
    })),
    warnings: [],
  }

  return {
    cluster,
    days: dayList,
    asOf: dayList[lastDay],
    journal,
    truth,
    history: {containers, nodes, coverage},
    inventory,
    config: {
      kubernetes: {
        prices: {
          instanceTypes: {[instanceType]: onDemandHourly},
          spotRatio,
          cpuToMemoryRatio,
          fromBilling: false,
        },
      },
    },
  }
}

/**
 * Writes a scenario into an open store with the store's own functions (passed in: the benchmark
 * hands the built modules, the tests the sources).
 */
export function writeScenario(db, scenario, store) {
  const {containers, nodes, coverage} = scenario.history
  const namespaces = [...new Set(containers.map((c) => c.namespace))]
  const days = scenario.days
  db.transaction(() => {
    for (const namespace of namespaces)
      store.replaceNamespaceHistory(
        db,
        {cluster: scenario.cluster, namespace, days},
        {containers: containers.filter((c) => c.namespace === namespace), services: [], network: []},
      )
    store.replaceClusterHistory(db, {cluster: scenario.cluster, days, namespaces: '*'}, {nodes, volumes: []})
    store.markHistoryCoverage(db, coverage, scenario.inventory.collectedAt)
    for (const a of scenario.journal) {
      store.insertPending(db, {
        id: a.id,
        runId: `run-${a.at}`,
        identity: 'bench',
        at: a.at,
        action: {
          kind: a.kind,
          target: a.target,
          before: a.before,
          after: a.after,
          monthlySavings: Math.round(a.monthlySavings * 100) / 100,
          currency: 'USD',
          reason: 'bench',
        },
      })
      store.markFinished(db, a.id, 'applied', a.at)
    }
  })()
  store.replaceInventory(db, scenario.inventory, 'bench')
}
