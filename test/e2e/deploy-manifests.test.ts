import fs from 'node:fs'
import path from 'node:path'
import {parseAllDocuments, parse as parseYaml} from 'yaml'
import {describe, expect, it} from 'vitest'
import {CronJob} from 'kubernetes-models/batch/v1/CronJob'
import {ConfigMap} from 'kubernetes-models/v1/ConfigMap'
import {Namespace} from 'kubernetes-models/v1/Namespace'
import {PersistentVolumeClaim} from 'kubernetes-models/v1/PersistentVolumeClaim'
import {ServiceAccount} from 'kubernetes-models/v1/ServiceAccount'
import {ClusterRole} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'
import {ClusterRoleBinding} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'

import {parseConfig} from '../../src/config/index.js'
import {ExitCode} from '../../src/exit-codes.js'
import {commandContracts} from '../../src/output/contracts.js'
import {DEFAULT_FINOPS_YAML, type Manifest, renderManifests} from '../../src/run/manifests.js'
import {parseJson, repoRoot, runCli, tempDir} from '../helpers/cli.js'

const deployDir = path.join(repoRoot, 'deploy')
const base = path.join(deployDir, 'base')

/** Validates one object against the Kubernetes OpenAPI schema of its kind; throws with the schema error. */
function validate(object: Manifest): void {
  const models: Record<string, new (data: never) => {validate(): void}> = {
    CronJob,
    ConfigMap,
    Namespace,
    PersistentVolumeClaim,
    ServiceAccount,
    ClusterRole,
    ClusterRoleBinding,
  }
  const Model = models[object.kind]
  if (!Model) throw new Error(`no schema for ${object.kind}`)
  new Model(object as never).validate()
}

const readDocs = (file: string): Manifest[] =>
  parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON() as Manifest)

describe('deploy/base (Kustomize)', () => {
  const kustomization = parseYaml(fs.readFileSync(path.join(base, 'kustomization.yaml'), 'utf8')) as {
    resources: string[]
    configMapGenerator: {name: string; files: string[]}[]
    namespace: string
  }
  const objects = kustomization.resources.flatMap((file) => readDocs(path.join(base, file)))

  it('lists files that exist, and every object is valid against its Kubernetes schema', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'CronJob',
      'Namespace',
      'PersistentVolumeClaim',
      'ServiceAccount',
    ])
    for (const object of objects) expect(() => validate(object), `${object.kind} ${object.metadata.name}`).not.toThrow()
    const bad = structuredClone(objects.find((o) => o.kind === 'CronJob')!) as Manifest & {
      spec: {concurrencyPolicy: string}
    }
    bad.spec.concurrencyPolicy = 'Sometimes'
    expect(() => validate(bad)).toThrow(/concurrencyPolicy/)
  })

  it('is what the renderer produces for the default config (deploy/generate.mjs keeps them in sync)', () => {
    const rendered = renderManifests(parseConfig({}).run).filter((m) => m.kind !== 'ConfigMap')
    expect(objects).toEqual(rendered)
    const generator = kustomization.configMapGenerator[0]!
    expect(generator.name).toBe('finops-config')
    const configText = fs.readFileSync(path.join(base, generator.files[0]!), 'utf8')
    expect(configText).toBe(DEFAULT_FINOPS_YAML)
    expect(parseConfig(parseYaml(configText)).apply.mode).toBe('dry-run')
    expect(kustomization.namespace).toBe('finops')
  })

  it('runs the CronJob safely: no overlap, bounded retries, non-root, read-only root, no capabilities, writable paths on volumes', () => {
    const cron = objects.find((o) => o.kind === 'CronJob') as unknown as {
      spec: {
        concurrencyPolicy: string
        startingDeadlineSeconds: number
        jobTemplate: {
          spec: {
            backoffLimit: number
            template: {
              spec: {
                serviceAccountName: string
                securityContext: Record<string, unknown>
                volumes: {
                  name: string
                  persistentVolumeClaim?: unknown
                  emptyDir?: unknown
                  configMap?: {name: string}
                }[]
                containers: {
                  args: string[]
                  env: {
                    name: string
                    value?: string
                    valueFrom?: {secretKeyRef: {name: string; key: string; optional: boolean}}
                  }[]
                  resources: {requests: Record<string, string>; limits: Record<string, string>}
                  securityContext: {
                    readOnlyRootFilesystem: boolean
                    runAsNonRoot: boolean
                    allowPrivilegeEscalation: boolean
                    capabilities: {drop: string[]}
                    seccompProfile: {type: string}
                  }
                  volumeMounts: {name: string; mountPath: string}[]
                }[]
              }
            }
          }
        }
      }
    }
    expect(cron.spec.concurrencyPolicy).toBe('Forbid')
    expect(cron.spec.startingDeadlineSeconds).toBeGreaterThan(0)
    const job = cron.spec.jobTemplate.spec
    expect(job.backoffLimit).toBeGreaterThan(0)
    const pod = job.template.spec
    expect(pod.securityContext).toMatchObject({runAsNonRoot: true, seccompProfile: {type: 'RuntimeDefault'}})
    expect(pod.securityContext.runAsUser).not.toBe(0)
    const [container] = pod.containers
    expect(container!.args).toEqual(['run'])
    expect(container!.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: {drop: ['ALL']},
      seccompProfile: {type: 'RuntimeDefault'},
    })
    expect(Object.keys(container!.resources.requests).sort()).toEqual(['cpu', 'memory'])
    expect(container!.resources.limits.memory).toBeDefined()
    // Everything the job writes (store, HOME, temp) is under a mounted volume, since the root is read-only.
    const env = Object.fromEntries(container!.env.filter((e) => e.value).map((e) => [e.name, e.value!]))
    const mountOf = (file: string) => container!.volumeMounts.find((m) => file.startsWith(`${m.mountPath}/`))
    for (const writable of [env.FINOPS_DB!, env.HOME!, `${env.TMPDIR}/x`])
      expect(mountOf(writable), writable).toBeDefined()
    expect(pod.volumes.find((v) => v.name === mountOf(env.FINOPS_DB!)!.name)!.persistentVolumeClaim).toBeDefined()
    expect(pod.volumes.find((v) => v.name === mountOf(env.HOME!)!.name)!.emptyDir).toBeDefined()
    expect(env.FINOPS_CONFIG!.startsWith(container!.volumeMounts.find((m) => m.name === 'config')!.mountPath)).toBe(
      true,
    )
    expect(pod.volumes.find((v) => v.name === 'config')!.configMap!.name).toBe('finops-config')
    // Credentials come from an optional Secret (IRSA / Workload Identity need none), never from the ConfigMap.
    const secrets = container!.env.filter((e) => e.valueFrom)
    expect(secrets.map((e) => e.name)).toEqual(
      expect.arrayContaining(['FINOPS_SLACK_WEBHOOK_URL', 'AWS_ACCESS_KEY_ID', 'AZURE_CLIENT_SECRET']),
    )
    for (const e of secrets)
      expect(e.valueFrom!.secretKeyRef).toMatchObject({name: 'finops-credentials', optional: true})
    expect(pod.serviceAccountName).toBe('finops')
  })

  it('has an example overlay whose files exist', () => {
    const overlay = path.join(deployDir, 'overlays', 'example')
    const k = parseYaml(fs.readFileSync(path.join(overlay, 'kustomization.yaml'), 'utf8')) as {
      resources: string[]
      configMapGenerator: {files: string[]}[]
    }
    expect(fs.existsSync(path.join(overlay, k.resources[0]!, 'kustomization.yaml'))).toBe(true)
    const config = parseYaml(fs.readFileSync(path.join(overlay, k.configMapGenerator[0]!.files[0]!), 'utf8'))
    expect(parseConfig(config).apply.mode).toBe('enforce')
  })
})

describe('deploy/Dockerfile', () => {
  const text = fs.readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8')
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  const stages: string[][] = []
  for (const line of lines) {
    if (/^FROM /i.test(line)) stages.push([line])
    else stages.at(-1)?.push(line)
  }
  const final = stages.at(-1)!

  it('is multi-stage on node:20-slim, installs production dependencies with npm ci --omit=dev, and copies only existing paths', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    for (const stage of stages) expect(stage[0]).toMatch(/^FROM node:20-slim\b/)
    expect(lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true)
    for (const line of lines.filter((l) => /^COPY (?!--from)/.test(l))) {
      const sources = line
        .replace(/^COPY\s+/, '')
        .split(/\s+/)
        .slice(0, -1)
      for (const source of sources) expect(fs.existsSync(path.join(repoRoot, source)), source).toBe(true)
    }
  })

  it('runs as a fixed non-root uid without build tools, with the store and HOME on volumes', () => {
    const user = final.find((l) => l.startsWith('USER '))
    expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/)
    expect(final.some((l) => /apt-get|npm (ci|install)/.test(l))).toBe(false)
    expect(final.find((l) => l.startsWith('ENTRYPOINT'))).toBe('ENTRYPOINT ["node", "/app/bin/run.js"]')
    expect(final.find((l) => l.startsWith('CMD'))).toBe('CMD ["run"]')
    expect(text).toMatch(/FINOPS_DB=\/data\//)
    expect(text).toMatch(/HOME=\/tmp\//)
  })
})

describe('finops cronjob manifest (built CLI)', () => {
  it('renders valid manifests from finops.yaml, embedding the config and the service account annotations', async () => {
    const {dir, cleanup} = tempDir()
    try {
      const configFile = path.join(dir, 'finops.yaml')
      const config =
        'apply:\n  mode: enforce\nrun:\n  cronjob:\n    namespace: cost\n    schedule: "5 * * * *"\n    serviceAccountAnnotations:\n      ' +
        'iam.gke.io/gcp-service-account: finops@proj.iam.gserviceaccount.com\n'
      fs.writeFileSync(configFile, config)
      const result = await runCli([
        'cronjob',
        'manifest',
        '--config',
        configFile,
        '--image',
        'registry.example.com/finops:1.2.3',
      ])
      expect(result.code, result.stderr).toBe(0)
      const docs = parseAllDocuments(result.stdout).map((d) => d.toJSON() as Manifest)
      for (const doc of docs) expect(() => validate(doc)).not.toThrow()
      const byKind = (kind: string) => docs.find((d) => d.kind === kind) as Manifest & Record<string, never>
      expect(byKind('ConfigMap').data).toEqual({'finops.yaml': config})
      expect(byKind('ServiceAccount').metadata).toMatchObject({
        namespace: 'cost',
        annotations: {'iam.gke.io/gcp-service-account': 'finops@proj.iam.gserviceaccount.com'},
      })
      expect(byKind('ClusterRoleBinding')).toMatchObject({
        subjects: [{kind: 'ServiceAccount', name: 'finops', namespace: 'cost'}],
      })
      const cron = byKind('CronJob') as unknown as {
        spec: {schedule: string; jobTemplate: {spec: {template: {spec: {containers: {image: string}[]}}}}}
      }
      expect(cron.spec.schedule).toBe('5 * * * *')
      expect(cron.spec.jobTemplate.spec.template.spec.containers[0]!.image).toBe('registry.example.com/finops:1.2.3')

      const json = commandContracts['cronjob-manifest'].parse(
        parseJson(await runCli(['cronjob', 'manifest', '--config', configFile, '--json'])),
      ) as {manifests: Manifest[]}
      expect(json.manifests.map((m) => m.kind)).toEqual(docs.map((d) => d.kind))
      const bad = await runCli(['cronjob', 'manifest', '--config', configFile, '--schedule', 'hourly'])
      expect(bad.code).toBe(ExitCode.invalidInput)
      expect(bad.stderr).toContain('expected 5 cron fields')
    } finally {
      cleanup()
    }
  })

  it('refuses to render a Slack webhook URL from finops.yaml into the ConfigMap, and never prints it', async () => {
    const {dir, cleanup} = tempDir()
    try {
      const configFile = path.join(dir, 'finops.yaml')
      const secret = 'https://hooks.slack.com/services/T000/B000/supersecretvalue'
      fs.writeFileSync(configFile, `alerts:\n  slack:\n    webhookUrl: ${secret}\n`)
      const result = await runCli(['cronjob', 'manifest', '--config', configFile])
      expect(result.code).toBe(ExitCode.invalidInput)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(
        /alerts\.slack\.webhookUrl would be written into the ConfigMap in clear text \(remove it and put the URL in the finops-credentials Secret/,
      )
      expect(result.stdout + result.stderr).not.toContain('supersecretvalue')
    } finally {
      cleanup()
    }
  })
})
