import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, test} from 'vitest'
import {parse} from 'yaml'

import {parseConfig} from '../../../src/config/index.js'
import {repoRoot} from '../../helpers/cli.js'

describe('alerts: in finops.yaml', () => {
  test('defaults', () => {
    expect(parseConfig({}).alerts).toEqual({
      slack: {retries: 3, maxRetryAfterSeconds: 60, timeoutSeconds: 10},
      anomalies: {
        enabled: true,
        groupBy: ['account', 'service'],
        usageOnly: true,
        metric: 'billed',
        level: 99.8,
        trainingDays: 112,
        minHistoryDays: 21,
        lookbackDays: 3,
        minImpact: 25,
        minRelative: 0.2,
        minAccountShare: 0.005,
        maxPerRun: 10,
        groups: [],
      },
      freshness: {enabled: true, lagDays: {}, defaultLagDays: 3, ignore: []},
      digest: {},
    })
  })

  test('the example in docs/configuration.md is valid and means what it says', () => {
    const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'configuration.md'), 'utf8')
    const section = doc.slice(doc.indexOf('## alerts'))
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(section)![1]!
    const alerts = parseConfig(parse(yamlBlock)).alerts
    expect(alerts.slack.webhookUrlFile).toBe('/var/run/secrets/finops/webhook-url')
    expect(alerts.anomalies.groupBy).toEqual(['account', 'service'])
  })

  test.each([
    [{alerts: {slak: {}}}, /alerts: Unrecognized key: "slak"/],
    [
      {alerts: {slack: {webhookUrl: 'ftp://hooks.example/secretpath'}}},
      /alerts\.slack\.webhookUrl: must be an http\(s\) URL/,
    ],
    [{alerts: {anomalies: {level: 50}}}, /alerts\.anomalies\.level: Too small/],
    [{alerts: {slack: {retries: 100}}}, /alerts\.slack\.retries: Too big/],
    [
      {alerts: {anomalies: {groupBy: ['account', 'servce']}}},
      /alerts\.anomalies\.groupBy\.1: unknown key; valid keys: provider, account, .*tag:<key>/,
    ],
    [
      {alerts: {anomalies: {groups: [{match: {team: 'core'}, mute: true}]}}},
      /alerts\.anomalies\.groups\.0\.match\.team: not a key of the watched series; use one of: provider, account, service/,
    ],
    [
      {alerts: {anomalies: {groups: [{match: {}, mute: true}]}}},
      /alerts\.anomalies\.groups\.0\.match: name at least one key/,
    ],
    [
      {alerts: {anomalies: {groups: [{match: {service: ''}}]}}},
      /alerts\.anomalies\.groups\.0\.match\.service: an empty value/,
    ],
    [
      {alerts: {anomalies: {groups: [{match: {service: '   '}, mute: true}]}}},
      /alerts\.anomalies\.groups\.0\.match\.service: an empty value/,
    ],
    [
      {alerts: {anomalies: {groups: [{match: {service: 'AWS Lambda'}, minimpact: 200}]}}},
      /alerts\.anomalies\.groups\.0: Unrecognized key: "minimpact"/,
    ],
    [
      {alerts: {anomalies: {groups: [{match: {service: 'AWS Lambda'}}]}}},
      /alerts\.anomalies\.groups\.0: give at least one of level, minImpact, minRelative, minAccountShare, mute/,
    ],
    [
      {alerts: {anomalies: {groups: [{match: {service: 'S3'}, level: 50}]}}},
      /alerts\.anomalies\.groups\.0\.level: Too small/,
    ],
  ])('%j is refused naming the field', (raw, message) => {
    const error = (() => {
      try {
        parseConfig(raw)
      } catch (e) {
        return e as Error
      }
      return undefined
    })()
    expect(error?.message).toMatch(message)
    expect(error?.message).not.toContain('secretpath')
  })
})
