import {describe, expect, test} from 'vitest'

import {buildBudgetInput} from '../../../src/alerts/budget-input.js'
import type {Budget} from '../../../src/model/budget.js'
import {expectFinopsError, namedAsFlags} from '../../helpers/errors.js'

describe('buildBudgetInput', () => {
  test('a new budget: defaults to monthly, billed, scope currency, actual 80/100 and forecast 100', () => {
    expect(buildBudgetInput({name: 'prod', amount: 5000})).toEqual({
      name: 'prod',
      amount: 5000,
      period: 'monthly',
      currency: undefined,
      metric: 'billed',
      filters: [],
      thresholds: [
        {kind: 'actual', percent: 80},
        {kind: 'actual', percent: 100},
        {kind: 'forecast', percent: 100},
      ],
    })
  })

  test('given thresholds replace the defaults, sorted and deduplicated; currency is upper-cased', () => {
    const input = buildBudgetInput({
      name: 'q',
      amount: 1,
      period: 'quarterly',
      currency: 'eur',
      actualThresholds: [90, 50, 90],
      forecastThresholds: [110],
    })
    expect(input.thresholds).toEqual([
      {kind: 'actual', percent: 50},
      {kind: 'actual', percent: 90},
      {kind: 'forecast', percent: 110},
    ])
    expect(input.currency).toBe('EUR')
  })

  test('an existing budget keeps what is not given', () => {
    const existing: Budget = {
      id: 3,
      name: 'prod',
      amount: 5000,
      period: 'yearly',
      currency: 'USD',
      metric: 'effective',
      filters: ['provider=AWS'],
      thresholds: [{kind: 'forecast', percent: 90}],
      createdAt: '',
      updatedAt: '',
    }
    expect(buildBudgetInput({name: 'prod', amount: 6000}, existing)).toEqual({
      name: 'prod',
      amount: 6000,
      period: 'yearly',
      currency: 'USD',
      metric: 'effective',
      filters: ['provider=AWS'],
      thresholds: [{kind: 'forecast', percent: 90}],
    })
  })

  test('errors speak of the budget in the domain and name the flags at the command edge', () => {
    const error = expectFinopsError(() => buildBudgetInput({name: 'x', amount: 5, currency: 'dollars'}), {
      message: 'currency dollars: expected a 3-letter ISO 4217 code',
      suggestion: 'for example currency USD',
      exit: 'usage',
    })
    expect(namedAsFlags(error)).toEqual({
      message: '--currency dollars: expected a 3-letter ISO 4217 code',
      suggestion: 'for example --currency USD',
    })
    expect(expectFinopsError(() => buildBudgetInput({name: 'x', amount: 5, filters: ['servce=EC2']})).message).toMatch(
      /^unknown filter key "servce" in filter servce=EC2; valid keys: /,
    )
  })

  test.each([
    [{name: 'new'}, /budget "new" is new: --amount is required/],
    [{name: 'x', amount: -5}, /--amount -5: must be a positive number/],
    [{name: 'x', amount: 5, period: 'weekly'}, /--period weekly: expected one of monthly, quarterly, yearly/],
    [{name: 'x', amount: 5, currency: 'dollars'}, /--currency dollars: expected a 3-letter ISO 4217 code/],
    [{name: 'x', amount: 5, actualThresholds: [0]}, /--actual-threshold 0: expected a percent/],
    [{name: 'bad name!', amount: 5}, /budget name "bad name!"/],
    [
      {name: 'x', amount: 5, filters: ['servce=EC2']},
      /^unknown filter key "servce" in --filter servce=EC2; valid keys: provider, account, sub-account, service, .*tag:<key>$/,
    ],
    [{name: 'x', amount: 5, filters: ['service']}, /--filter service: expected key=value/],
  ])('%j is refused with one line', (flags, message) => {
    const error = expectFinopsError(() => buildBudgetInput(flags), {exit: 'usage'})
    expect(namedAsFlags(error).message).toMatch(message)
  })
})
