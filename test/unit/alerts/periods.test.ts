import {describe, expect, test} from 'vitest'

import {periodContaining} from '../../../src/alerts/periods.js'

describe('periodContaining', () => {
  test.each([
    ['monthly', '2024-02-10', {start: '2024-02-01', end: '2024-02-29', label: '2024-02', days: 29}],
    ['monthly', '2023-02-28', {start: '2023-02-01', end: '2023-02-28', label: '2023-02', days: 28}],
    ['monthly', '2024-12-31', {start: '2024-12-01', end: '2024-12-31', label: '2024-12', days: 31}],
    ['quarterly', '2024-09-30', {start: '2024-07-01', end: '2024-09-30', label: '2024-Q3', days: 92}],
    ['quarterly', '2024-01-01', {start: '2024-01-01', end: '2024-03-31', label: '2024-Q1', days: 91}],
    ['quarterly', '2024-11-15', {start: '2024-10-01', end: '2024-12-31', label: '2024-Q4', days: 92}],
    ['yearly', '2024-06-15', {start: '2024-01-01', end: '2024-12-31', label: '2024', days: 366}],
  ] as const)('%s period of %s', (period, day, expected) => {
    expect(periodContaining(period, day)).toEqual(expected)
  })
})
