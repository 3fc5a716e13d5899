// Generates a FOCUS 1.0 CSV (all 43 columns, the AWS Data Exports layout) of N hourly resource-level
// rows, ~700 bytes each like real exports: long resource ids and descriptions, tags JSON, NULLs.
// Deterministic for a given row count. With --tag-keys K (20-50 is realistic), each resource carries
// K tag keys as teams tag real fleets: a few per workload (team, env, application: tens of values),
// some with thousands of values (owner, project, git commit), and per-resource ones (Name, pod, the
// instance id), so the daily rollup has one group per resource and day.
// Usage: node bench/ingest/generate.mjs ROWS OUT.csv [--tag-keys K]
import fs from 'node:fs'

import {FOCUS_10_COLUMNS as COLUMNS} from '../../dist/src/demo/generate-billing.js'

export async function generateFocusCsv(rows, out, {tagKeys = 0} = {}) {
  let seed = 12345
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296
  const services = Array.from({length: 40}, (_, i) => ({
    name: `Amazon Service ${String.fromCharCode(65 + (i % 26))}${i}`,
    category: ['Compute', 'Storage', 'Databases', 'Networking', 'Analytics'][i % 5],
    sku: `SKU${(i * 7919).toString(36).toUpperCase().padStart(12, 'X')}`,
  }))
  const regions = [
    ['us-east-1', 'US East (N. Virginia)'],
    ['us-west-2', 'US West (Oregon)'],
    ['eu-west-1', 'Europe (Ireland)'],
    ['eu-central-1', 'Europe (Frankfurt)'],
    ['ap-southeast-2', 'Asia Pacific (Sydney)'],
    ['ap-northeast-1', 'Asia Pacific (Tokyo)'],
  ]
  const accounts = Array.from({length: 12}, (_, i) => [`${210000000000 + i * 7}`, `team-account-${i}`])
  const teams = ['platform', 'data', 'web', 'ml', 'payments', 'search']
  const envs = ['prod', 'staging', 'dev']
  // Hourly rows over the 30 days of September: ROWS / 720 resources, in 1,000 workloads (an
  // autoscaling group, a node pool, a bucket set) whose resources share service, account, region and
  // tags, as in real bills. The daily rollup therefore has ~30,000 rows whatever ROWS is, so a
  // larger file measures rows, not groups.
  const HOURS = 720
  const resourceCount = Math.max(1, Math.ceil(rows / HOURS))
  const resources = Array.from({length: resourceCount}, (_, i) => {
    const w = i % 1000
    const service = services[w % services.length]
    const region = regions[(w >> 3) % regions.length]
    const account = accounts[(w >> 5) % accounts.length]
    return {
      service,
      region,
      account,
      id: `arn:aws:${service.category.toLowerCase()}:${region[0]}:${account[0]}:resource/${service.category.toLowerCase()}-${i.toString(16).padStart(17, '0')}`,
      tags: JSON.stringify(
        tagKeys > 0
          ? realisticTags(tagKeys, i, w, teams, envs)
          : {application: `app-${w % 97}`, business_unit: teams[w % teams.length], environment: envs[w % 3]},
      ).replaceAll('"', '""'),
      price: 0.001 + random() * 0.5,
    }
  })
  const stream = fs.createWriteStream(out)
  const write = (text) => (stream.write(text) ? undefined : new Promise((r) => stream.once('drain', r)))
  await write(COLUMNS.map((c) => `"${c}"`).join(',') + '\n')
  const pad = (n) => String(n).padStart(2, '0')
  let chunk = ''
  for (let r = 0; r < rows; r++) {
    const res = resources[Math.floor(r / HOURS)]
    const hourIndex = r % HOURS
    const day = 1 + Math.floor(hourIndex / 24)
    const hour = hourIndex % 24
    const start = `2024-09-${pad(day)} ${pad(hour)}:00:00`
    const end =
      hour === 23
        ? day === 30
          ? '2024-10-01 00:00:00'
          : `2024-09-${pad(day + 1)} 00:00:00`
        : `2024-09-${pad(day)} ${pad(hour + 1)}:00:00`
    const qty = (random() * 4).toFixed(9)
    const list = (Number(qty) * res.price).toFixed(11)
    const committed = r % 4 === 0
    const effective = committed ? (Number(list) * 0.72).toFixed(11) : list
    chunk +=
      `${r % 5 === 0 ? `"${res.region[0]}a"` : 'NULL'},${list},"100000000001","Acme Corp","USD","2024-10-01 00:00:00","2024-09-01 ` +
      `00:00:00","Usage",NULL,"$${res.price.toFixed(4)} per unit-hour ` +
      `for ${res.service.name} in ${res.region[1]} (usage ` +
      `type ${res.service.sku})","Usage-Based",` +
      `"${end}","${start}",` +
      `${
        committed
          ? '"Spend","arn:aws:savingsplans::100000000001:savingsplan/4bd0c1a2-7d7f-4b3e-9a52-1f0f3d2b8e61","Compute Savings Plan","Used","Savings ' +
            'Plan"'
          : 'NULL,NULL,NULL,NULL,' + 'NULL'
      },${qty},"Hours",\
${effective},${res.price.toFixed(8)},\
${effective},"Amazon Web Services, \
Inc.",${list},"${res.price.toFixed(8)}",\
"${committed ? 'Committed' : 'Standard'}",\
${qty},"Hours","AWS","Amazon Web Services, \
Inc.","${res.region[0]}",\
"${res.region[1]}","${res.id}",NULL,\
"${res.service.category}",\
"${res.service.category}",\
"${res.service.name}","${res.service.sku}","${res.service.sku}.JRTCKXETXF.${res.region[0]}","${res.account[0]}","${res.account[1]}","${res.tags}"\n`
    if (chunk.length > 1 << 20) {
      await write(chunk)
      chunk = ''
    }
  }
  await write(chunk)
  await new Promise((resolve, reject) => stream.end((error) => (error ? reject(error) : resolve())))
  return fs.statSync(out).size
}

/**
 * K tag keys for resource i of workload w: per-workload keys with tens of values, keys with
 * thousands of values, per-resource keys; keys past the named ones are `label_N` with few values.
 */
function realisticTags(count, i, w, teams, envs) {
  const hex = (n, width) => n.toString(16).padStart(width, '0')
  const named = [
    ['Name', () => `node-${hex(i, 8)}`],
    ['team', () => teams[w % teams.length]],
    ['environment', () => envs[w % 3]],
    ['application', () => `app-${w % 97}`],
    ['business_unit', () => `bu-${w % 12}`],
    ['cost_center', () => `cc-${1000 + (w % 40)}`],
    ['owner', () => `owner-${(w * 7) % 2500}@example.com`],
    ['project', () => `project-${(i * 13) % 4000}`],
    ['kubernetes.io/pod', () => `pod-${hex(i * 2654435761, 10)}`],
    ['aws:autoscaling:groupName', () => `asg-${w}`],
    ['git_commit', () => hex((w * 40503) % 3000, 7)],
    ['service', () => `svc-${w % 150}`],
    ['tier', () => ['web', 'worker', 'db', 'cache'][w % 4]],
    ['compliance', () => ['pci', 'hipaa', 'none'][w % 3]],
    ['managed_by', () => ['terraform', 'helm', 'console'][w % 3]],
    ['instance_id', () => `i-${hex(i * 97, 17)}`],
    ['region_group', () => `rg-${w % 8}`],
    ['data_classification', () => ['public', 'internal', 'confidential'][w % 3]],
    ['backup', () => (w % 2 ? 'daily' : 'none')],
    ['version', () => `v${w % 30}.${i % 10}`],
  ]
  const tags = {}
  for (let k = 0; k < count; k++) {
    if (k < named.length) tags[named[k][0]] = named[k][1]()
    else tags[`label_${k}`] = `value-${(w + k) % 20}`
  }
  return tags
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [rows, out] = process.argv.slice(2)
  const keysAt = process.argv.indexOf('--tag-keys')
  const bytes = await generateFocusCsv(Number(rows), out, {tagKeys: keysAt > 0 ? Number(process.argv[keysAt + 1]) : 0})
  console.log(`${out}: ${rows} rows, ${(bytes / 1e6).toFixed(0)} MB`)
}
