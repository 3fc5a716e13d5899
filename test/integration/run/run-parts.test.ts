import {spawnSync} from 'node:child_process'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {acquireRunLock, releaseRunLock} from '../../../src/run/lock.js'
import {renderPrometheusText} from '../../../src/run/metrics.js'
import {pushMetrics} from '../../../src/run/pushgateway.js'
import type {Db} from '../../../src/store/open.js'
import {claimLock} from '../../../src/store/run-lock.js'
import {expectFinopsError, tempStore} from '../../helpers/index.js'

describe('the run lock', () => {
  let db: Db
  let cleanup: () => void
  beforeEach(() => {
    ;({db, cleanup} = tempStore())
  })
  afterEach(() => cleanup())

  it('refuses a second holder until released, takes over an expired lock, and only its holder releases it', () => {
    const now = new Date('2024-09-04T22:00:00Z')
    expect(acquireRunLock(db, {runId: 'run-a', ttlMinutes: 60, now})).toEqual({})
    expectFinopsError(
      () => acquireRunLock(db, {runId: 'run-b', ttlMinutes: 60, now: new Date('2024-09-04T22:30:00Z')}),
      {code: 'LOCKED', exit: 'locked', message: /run-a/},
    )
    releaseRunLock(db, 'run-b') // not the holder: no effect
    const later = acquireRunLock(db, {runId: 'run-c', ttlMinutes: 60, now: new Date('2024-09-04T23:00:01Z')})
    expect(later.takenOver).toMatchObject({runId: 'run-a', expiresAt: '2024-09-04T23:00:00.000Z'})
    releaseRunLock(db, 'run-a') // the stale holder waking up must not free its successor's lock
    expect(() => acquireRunLock(db, {runId: 'run-d', ttlMinutes: 60, now: new Date('2024-09-04T23:10:00Z')})).toThrow(
      /run-c/,
    )
    releaseRunLock(db, 'run-c')
    expect(acquireRunLock(db, {runId: 'run-d', ttlMinutes: 60, now: new Date('2024-09-04T23:10:00Z')})).toEqual({})
  })
})

describe('the run lock and a killed holder on this host', () => {
  it('takes over at once from a process that no longer exists', () => {
    const {db, cleanup} = tempStore()
    try {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!
      claimLock(
        db,
        'run',
        {
          runId: 'run-killed',
          holder: `${os.hostname()} pid ${dead}`,
          acquiredAt: '2024-09-04T22:00:00.000Z',
          expiresAt: '2024-09-04T23:00:00.000Z',
        },
        () => true,
      )
      expect(
        acquireRunLock(db, {runId: 'run-next', ttlMinutes: 60, now: new Date('2024-09-04T22:05:00Z')}).takenOver,
      ).toMatchObject({runId: 'run-killed'})
    } finally {
      cleanup()
    }
  })
})

describe('renderPrometheusText', () => {
  it('writes HELP and TYPE once per metric and escapes label values', () => {
    const text = renderPrometheusText([
      {name: 'finops_budget_used_ratio', help: 'Budget used', labels: {budget: 'prod "eu"\\1'}, value: 0.425},
      {name: 'finops_budget_used_ratio', help: 'Budget used', labels: {budget: 'dev'}, value: 0.03},
      {name: 'finops_run_success', help: 'Success', value: 1},
    ])
    expect(text).toBe(
      [
        '# HELP finops_budget_used_ratio Budget used',
        '# TYPE finops_budget_used_ratio gauge',
        'finops_budget_used_ratio{budget="prod \\"eu\\"\\\\1"} 0.425',
        'finops_budget_used_ratio{budget="dev"} 0.03',
        '# HELP finops_run_success Success',
        '# TYPE finops_run_success gauge',
        'finops_run_success 1',
        '',
      ].join('\n'),
    )
  })
})

describe('pushMetrics', () => {
  it('PUTs the group with basic auth from the URL as a header, and reports a refused push as one redacted line', async () => {
    const seen: {method?: string; url?: string; auth?: string; type?: string; body: string}[] = []
    let status = 200
    const server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d))
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          auth: req.headers.authorization,
          type: req.headers['content-type'],
          body,
        })
        res.writeHead(status)
        res.end(status === 200 ? '' : 'boom')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as AddressInfo
    try {
      const samples = [{name: 'finops_run_success', help: 'ok', value: 1}]
      await pushMetrics(`http://ops:s3cret@127.0.0.1:${port}/base`, samples, {job: 'finops', instance: 'prod eu'})
      expect(seen).toEqual([
        {
          method: 'PUT',
          url: '/base/metrics/job/finops/instance/prod%20eu',
          auth: `Basic ${Buffer.from('ops:s3cret').toString('base64')}`,
          type: 'text/plain; version=0.0.4',
          body: '# HELP finops_run_success ok\n# TYPE finops_run_success gauge\nfinops_run_success 1\n',
        },
      ])
      status = 503
      seen.length = 0
      await expect(
        pushMetrics(`http://ops:s3cret@127.0.0.1:${port}`, samples, {job: 'finops', instance: 'x'}),
      ).rejects.toThrow(/^cannot push metrics to http:\/\/127\.0\.0\.1:\d+: HTTP 503: boom$/)
      expect(seen).toHaveLength(2)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
