import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {planAwsCalls} from '../../../src/collectors/aws/plan.js'
import {chargeOf} from '../../../src/collectors/aws/record-types.js'
import {planAzureCalls} from '../../../src/collectors/azure/plan.js'
import {backoffDelay, RequestCounter, withRetry} from '../../../src/collectors/cloud-retry.js'
import {planWindow} from '../../../src/collectors/cloud-window.js'
import {billingAccountFromTable, exportQuery} from '../../../src/collectors/gcp/export-query.js'
import {parseConfig} from '../../../src/config/index.js'
import type {Watermark} from '../../../src/store/watermarks.js'
import {fixturesDir} from '../../helpers/cli.js'
import {expectFinopsError, namedAsFlags} from '../../helpers/errors.js'

const mark = (collectedThrough: string, finalThrough: string): Watermark => ({
  source: 's',
  scope: 'x',
  collectedThrough,
  finalThrough,
  lastRunAt: '',
  lastRequests: 0,
})
const settings = {restatementDays: 3, initialDays: 90}

describe('planWindow', () => {
  it.each([
    {
      name: 'first run: initialDays ending yesterday',
      today: '2026-11-26',
      wm: undefined,
      want: {from: '2026-08-28', to: '2026-11-25', finalThrough: '2026-10-31'},
    },
    {
      name: 'mid-month: the whole open month again',
      today: '2026-11-26',
      wm: mark('2026-11-25', '2026-10-31'),
      want: {from: '2026-11-01', to: '2026-11-25', finalThrough: '2026-10-31'},
    },
    {
      name: 'early in a month: restatement window reaches back',
      today: '2026-12-02',
      wm: mark('2026-11-30', '2026-10-31'),
      want: {from: '2026-11-01', to: '2026-12-01', finalThrough: '2026-11-28'},
    },
    {
      name: 'after a settled month: from the restatement window',
      today: '2026-12-10',
      wm: mark('2026-12-08', '2026-11-30'),
      want: {from: '2026-12-01', to: '2026-12-09', finalThrough: '2026-11-30'},
    },
    {
      name: 'a run on the 1st after a run on the 1st',
      today: '2026-12-01',
      wm: mark('2026-11-30', '2026-11-27'),
      want: {from: '2026-11-28', to: '2026-11-30', finalThrough: '2026-11-27'},
    },
  ])('$name', ({today, wm, want}) => {
    expect(planWindow({today, watermark: wm, settings})).toEqual(want)
  })

  it('restatementDays 0: a second run on the 1st re-collects yesterday instead of failing with a --from the user never gave', () => {
    const zero = {restatementDays: 0, initialDays: 90}
    expect(planWindow({today: '2026-12-01', watermark: mark('2026-11-30', '2026-11-30'), settings: zero})).toEqual({
      from: '2026-11-30',
      to: '2026-11-30',
      finalThrough: '2026-11-30',
    })
    // A watermark past yesterday (an earlier run with a later FINOPS_NOW) is no error either.
    expect(
      planWindow({today: '2026-11-20', watermark: mark('2026-11-25', '2026-11-25'), settings: zero}),
    ).toMatchObject({from: '2026-11-19', to: '2026-11-19'})
  })

  it('an explicit start/end wins, and a reversed window is a usage error naming both ends', () => {
    expect(
      planWindow({
        today: '2026-11-26',
        watermark: mark('2026-11-25', '2026-10-31'),
        from: '2026-01-01',
        to: '2026-01-31',
        settings,
      }),
    ).toEqual({from: '2026-01-01', to: '2026-01-31', finalThrough: '2026-01-28'})
    const reversed = expectFinopsError(
      () => planWindow({today: '2026-11-26', from: '2026-11-20', to: '2026-11-10', settings}),
      {message: 'window start 2026-11-20 is after window end 2026-11-10', exit: 'usage'},
    )
    // A command with --from/--to names its flags.
    expect(namedAsFlags(reversed).message).toBe('--from 2026-11-20 is after --to 2026-11-10')
    expect(() => planWindow({today: '2026-11-26', from: '2026-13-01', settings})).toThrow(
      /window start 2026-13-01: expected a date/,
    )
  })
})

describe('bounded retry', () => {
  const policy = {maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 350}
  it('caps the exponential step, jitters under it, and lets a longer retry-after win', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 350, 350])
    expect(backoffDelay(3, policy, () => 0.5)).toBe(175)
    expect(backoffDelay(1, policy, () => 0.5, 300)).toBe(300)
  })

  it('counts every attempt and stops after maxAttempts', async () => {
    const counter = new RequestCounter()
    const waits: number[] = []
    let calls = 0
    const error = await withRetry(
      'op',
      async () => {
        calls++
        throw new Error('busy')
      },
      () => ({retry: true}),
      policy,
      counter,
      {random: () => 0, sleep: async (ms) => void waits.push(ms)},
    ).catch((e: Error) => e)
    expect(calls).toBe(4)
    expect(counter).toMatchObject({requests: 4, retries: 3})
    expect(waits).toHaveLength(3)
    expect((error as Error).message).toBe('op: still throttled or unavailable after 4 attempts')
  })

  it('network errors: resets and timeouts are transient (also as a cause), a refused connection or unknown host is not', async () => {
    const {isTransientNetworkError} = await import('../../../src/collectors/cloud-retry.js')
    expect(isTransientNetworkError(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'}))).toBe(true)
    expect(isTransientNetworkError(Object.assign(new Error('timed out'), {name: 'TimeoutError'}))).toBe(true)
    expect(
      isTransientNetworkError(
        new Error('fetch failed', {cause: Object.assign(new Error('x'), {code: 'UND_ERR_SOCKET'})}),
      ),
    ).toBe(true)
    expect(isTransientNetworkError(Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}))).toBe(
      false,
    )
    expect(isTransientNetworkError(Object.assign(new Error('getaddrinfo ENOTFOUND'), {code: 'ENOTFOUND'}))).toBe(false)
  })

  it('does not retry what the classifier refuses', async () => {
    const counter = new RequestCounter()
    await expect(
      withRetry(
        'op',
        async () => {
          throw new Error('denied')
        },
        () => ({retry: false}),
        policy,
        counter,
      ),
    ).rejects.toThrow('denied')
    expect(counter.requests).toBe(1)
  })
})

describe('call plans and mappings', () => {
  it('AWS: two calls by default; per-account fan-out for an extra key', () => {
    expect(planAwsCalls().map((c) => c.groupBy.map((g) => g.Key))).toEqual([
      ['LINKED_ACCOUNT', 'SERVICE'],
      ['LINKED_ACCOUNT', 'RECORD_TYPE'],
    ])
    const plan = planAwsCalls({kind: 'tag', key: 'team'}, ['1', '2', '3'])
    expect(plan).toHaveLength(4)
    expect(plan.every((c) => c.groupBy.length <= 2)).toBe(true)
    expect(plan[0]!.groupBy).toEqual([
      {Type: 'DIMENSION', Key: 'SERVICE'},
      {Type: 'TAG', Key: 'team'},
    ])
    expect(chargeOf('SavingsPlanRecurringFee')).toEqual({category: 'Purchase', frequency: 'Recurring'})
    expect(chargeOf('SomethingNew')).toEqual({category: 'Adjustment', frequency: ''})
  })

  it('Azure: subscription scopes group by location, wider scopes by subscription', () => {
    expect(planAzureCalls('/subscriptions/abc/resourceGroups/rg')[0]!.grouping[1]).toEqual({
      type: 'Dimension',
      name: 'ResourceLocation',
    })
    expect(planAzureCalls('/providers/Microsoft.Management/managementGroups/mg')[0]!.grouping[1]).toEqual({
      type: 'Dimension',
      name: 'SubscriptionId',
    })
    expect(planAzureCalls('/providers/Microsoft.Management/managementGroups/mg')[1]!.grouping[1]).toEqual({
      type: 'Dimension',
      name: 'SubscriptionId',
    })
  })

  it('GCP: the billing account comes from the export table name', () => {
    expect(billingAccountFromTable('gcp_billing_export_resource_v1_01a2b3_C4D5E6_F7A8B9')).toBe('01A2B3-C4D5E6-F7A8B9')
    expect(billingAccountFromTable('my_copy')).toBeUndefined()
    expect(exportQuery('proj-1.d.t', 'team')).toMatch(/GROUP BY .*label_value$/)
  })
})

describe('sources: in finops.yaml', () => {
  it.each([
    [{sources: {azure: {scope: 'x'}}}, 'sources.azure.0.scope: must be a scope'],
    [{sources: {gcp: [{}]}}, 'sources.gcp.0: needs a table, a focusView, or prices: true'],
    [
      {sources: {gcp: [{focusView: 'p-1.billing.focus_v1'}]}},
      'sources.gcp.0: a focusView needs the billingAccount (XXXXXX-XXXXXX-XXXXXX) whose rows it reads',
    ],
    [
      {sources: {gcp: [{focusView: 'p-1.billing.focus_v1', table: 'p-1.billing.t', billingAccount: 'A'}]}},
      'sources.gcp.0: give a table or a focusView, not both: both hold the same billing account',
    ],
    [
      {sources: {athena: [{table: 'cid.focus', billingAccount: '1234'}]}},
      'sources.athena.0.billingAccount: must be the 12-digit payer account id',
    ],
    [{sources: {aws: {profil: 'x'}}}, 'sources.aws.0: Unrecognized key: "profil"'],
    [{sources: {aws: [{groupBy: 'zone'}]}}, 'sources.aws.0.groupBy: must be "region" or "tag:<key>"'],
    [{sources: {retry: {maxAttempts: 0}}}, 'sources.retry.maxAttempts'],
  ])('%j is rejected naming the field', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(message)
  })

  it('one entry or a list; defaults filled', () => {
    const {sources} = parseConfig({sources: {aws: {profile: 'payer'}, gcp: [{table: 'p-1.d.t'}, {prices: true}]}})
    expect(sources.aws).toEqual([{profile: 'payer'}])
    expect(sources.gcp).toEqual([{table: 'p-1.d.t', prices: false}, {prices: true}])
    expect(sources).toMatchObject({restatementDays: 3, initialDays: 90, retry: {maxAttempts: 5}})
  })
})

describe('recorded-shape responses', () => {
  it('AWS: record-type groups become FOCUS charge categories; all-zero groups are dropped', async () => {
    const {toRows} = await import('../../../src/collectors/aws/index.js')
    const page = JSON.parse(
      fs.readFileSync(path.join(fixturesDir, 'aws', 'get-cost-and-usage-record-types.json'), 'utf8'),
    )
    const rows = toRows(page, planAwsCalls()[1]!)
    expect(
      rows.map((r) => [r.subAccountId, r.chargeCategory, r.chargeFrequency, r.billedCost, r.effectiveCost]),
    ).toEqual([
      ['111111111111', 'Tax', 'Recurring', 12.5, 12.5],
      ['111111111111', 'Purchase', 'Recurring', 48.18, 0],
      ['222222222222', 'Credit', 'One-Time', -5, -5],
    ])
    expect(
      rows.every((r) => r.day === '2026-11-01' && r.billingPeriodStart === '2026-11-01' && r.currency === 'USD'),
    ).toBe(true)
  })

  it('Azure: an EA answer (PreTaxCost column, EUR) maps by column name', async () => {
    const {toAzureRows} = await import('../../../src/collectors/azure/index.js')
    const page = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'azure', 'query-response-ea.json'), 'utf8'))
    const scope = '/subscriptions/00000000-0000-0000-0000-00000000000a'
    const rows = toAzureRows(page, planAzureCalls(scope)[0]!, 'ActualCost', {scope})
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatchObject({
      day: '2026-11-24',
      serviceName: 'Virtual Machines',
      regionId: 'westeurope',
      currency: 'EUR',
      subAccountId: '00000000-0000-0000-0000-00000000000a',
      chargeCategory: 'Usage',
      billedCost: 2.10333307059661,
      effectiveCost: 0,
    })
    const amortized = toAzureRows(page, planAzureCalls(scope)[0]!, 'AmortizedCost', {scope})
    expect(amortized[2]).toMatchObject({day: '2026-11-25', billedCost: 0, effectiveCost: 1.5})
  })
})

describe('Azure rows that cannot be read', () => {
  it('fail the run (store unchanged) instead of being skipped into an empty window; ISO dates are read', async () => {
    const {toAzureRows} = await import('../../../src/collectors/azure/index.js')
    const scope = '/subscriptions/00000000-0000-0000-0000-00000000000a'
    const page = (usageDate: unknown) => ({
      properties: {
        columns: [
          {name: 'Cost', type: 'Number'},
          {name: 'UsageDate', type: 'Number'},
          {name: 'ServiceName', type: 'String'},
          {name: 'ResourceLocation', type: 'String'},
          {name: 'Currency', type: 'String'},
        ],
        rows: [[1.25, usageDate, 'Storage', 'westeurope', 'USD']],
      },
    })
    expect(toAzureRows(page(20261124), planAzureCalls(scope)[0]!, 'ActualCost', {scope})[0]).toMatchObject({
      day: '2026-11-24',
      billedCost: 1.25,
    })
    expect(toAzureRows(page('2026-11-24T00:00:00'), planAzureCalls(scope)[0]!, 'ActualCost', {scope})[0]).toMatchObject(
      {day: '2026-11-24'},
    )
    expect(() => toAzureRows(page('Nov 24, 2026'), planAzureCalls(scope)[0]!, 'ActualCost', {scope})).toThrow(
      /^Azure Cost Management answered a row we cannot read \(UsageDate "Nov 24, 2026"/,
    )
    expect(() =>
      toAzureRows(
        {properties: {columns: [{name: 'Cost', type: 'Number'}], rows: [[3]]}},
        planAzureCalls(scope)[0]!,
        'ActualCost',
        {scope},
      ),
    ).toThrow(/UsageDate null/)
  })
})

describe('Azure charge types', () => {
  it('map case-insensitively, unknown ones to Adjustment', async () => {
    const {chargeOfAzure} = await import('../../../src/collectors/azure/charge-types.js')
    expect(chargeOfAzure('unusedreservation')).toEqual({category: 'Usage', frequency: 'Usage-Based'})
    expect(chargeOfAzure('Purchase')).toEqual({category: 'Purchase', frequency: 'One-Time'})
    expect(chargeOfAzure('Mystery')).toEqual({category: 'Adjustment', frequency: ''})
  })
})
