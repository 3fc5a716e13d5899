import {Flags} from '@oclif/core'
import fs from 'node:fs'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {inputError} from '../../src/errors.js'
import type {Manifest} from '../../src/model/manifest.js'
import {DEFAULT_FINOPS_YAML, refuseRenderedSecrets, renderManifests} from '../../src/run/manifests.js'

export default class CronjobManifest extends FinopsCommand {
  static override summary =
    'Render the in-cluster CronJob manifests (namespace, RBAC, PVC, ConfigMap with finops.yaml, CronJob) from finops.yaml'
  static override description = `Reads run.cronjob (namespace, schedule, image, storage, service account annotations for IRSA or
Workload Identity) and embeds the finops.yaml itself in the ConfigMap. Pipe to kubectl apply -f -, or use the Kustomize
base in deploy/base.`

  static override examples = [
    '<%= config.bin %> cronjob manifest --config finops.yaml | kubectl apply -f -',
    '<%= config.bin %> cronjob manifest --schedule "0 */6 * * *" --image registry.example.com/finops:0.1.0',
  ]

  static override flags = {
    schedule: Flags.string({description: 'cron schedule (default: run.cronjob.schedule)'}),
    image: Flags.string({description: 'container image (default: run.cronjob.image)'}),
    namespace: Flags.string({description: 'namespace (default: run.cronjob.namespace)'}),
    ...outputFlags(['cronjob-manifest'], {default: 'yaml'}),
  }

  async run(): Promise<{manifests: Manifest[]}> {
    const {flags} = await this.parse(CronjobManifest)
    const loaded = this.finopsConfig(flags.config)
    const run = structuredClone(loaded.config.run)
    if (flags.schedule) {
      if (flags.schedule.trim().split(/\s+/).length !== 5)
        throw inputError(`--schedule ${flags.schedule}: expected 5 cron fields`, 'for example --schedule "17 * * * *"')
      run.cronjob.schedule = flags.schedule
    }
    if (flags.image) run.cronjob.image = flags.image
    if (flags.namespace) run.cronjob.namespace = flags.namespace
    const finopsYaml = loaded.file ? fs.readFileSync(loaded.file, 'utf8') : DEFAULT_FINOPS_YAML
    // finops.yaml goes into a ConfigMap, readable by anyone who can read ConfigMaps: never render a secret into it.
    if (loaded.config.alerts.slack?.webhookUrl) {
      throw inputError(
        `${loaded.file ?? 'finops.yaml'}: alerts.slack.webhookUrl would be written into the ConfigMap in clear text`,
        'remove it and put the URL in the finops-credentials Secret (key slack-webhook-url), which the CronJob mounts; see docs/deploy.md',
      )
    }
    // The ClusterRole grants what the configured schedules scale (apply.schedules.kinds), nothing more.
    const {apply} = loaded.config
    const resizePods = apply.resize.enabled && apply.kinds.includes('rightsize')
    const result = {manifests: renderManifests(run, finopsYaml, apply.schedules.kinds, resizePods)}
    refuseRenderedSecrets(result.manifests, finopsYaml, loaded.file ?? 'finops.yaml')
    await this.present('cronjob-manifest', result)
    return result
  }
}
