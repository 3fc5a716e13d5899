import {describe, expect, it} from 'vitest'

import {scanMatrix} from '../../../src/collectors/k8s/prometheus-matrix.js'

type Seen = {metric: Record<string, string>; points: [number, number][]}

const scan = (text: string): {series: number; seen: Seen[]} => {
  const seen: Seen[] = []
  const series = scanMatrix(text, (metric) => {
    const entry: Seen = {metric, points: []}
    seen.push(entry)
    return (t, v) => entry.points.push([t, v])
  })
  return {series, seen}
}

// What the collector did before: JSON.parse the answer, then Number() each value string.
const parsed = (text: string): Seen[] =>
  (
    JSON.parse(text) as {data: {result: {metric: Record<string, string>; values?: [number, string][]}[]}}
  ).data.result.map((s) => ({metric: s.metric, points: (s.values ?? []).map(([t, v]) => [t, Number(v)])}))

describe('scanMatrix reads a range answer point by point, as JSON.parse and Number() would', () => {
  it('gives the same labels and points for a compact answer, special values included', () => {
    const text = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: {namespace: 'shop', pod: 'web-1', container: 'web'},
            values: [
              [1700000000, '0.25'],
              [1700000300.5, '1e-7'],
              [1700000600, 'NaN'],
              [1700000900, '+Inf'],
              [1700001200, '-0'],
            ],
          },
          {metric: {}, values: []},
        ],
      },
    })
    const {series, seen} = scan(text)
    expect(series).toBe(2)
    expect(seen).toEqual(parsed(text))
  })

  it('reads whole numbers (timestamps, bytes) directly and anything else as Number() does', () => {
    const values = ['0', '123456789012345', '1234567890123456', '0123', '12 ', '12,', '1.5', '-3', '7e2', '']
    const text = JSON.stringify({
      status: 'success',
      data: {result: [{metric: {}, values: values.map((v, i) => [1_700_000_000 + i, v])}]},
    })
    expect(scan(text).seen).toEqual(parsed(text))
    expect(scan(text).seen[0]!.points.map(([, v]) => v)).toEqual(values.map(Number))
  })

  it('copes with whitespace, escaped label values, unknown keys and labels written after the points', () => {
    const text = `{ "status" : "success", "warnings": ["x}]"],
      "data": { "resultType": "matrix", "result": [
        { "values": [ [ 1, "2" ] , [2,"3"] ], "metric": { "pod": "a\\"b}]", "container": "c\\\\d" } },
        { "metric": {"pod": "h"}, "histograms": [[1, {"count": "2", "buckets": [[0, "1", "2", "3"]]}]] }
      ] } }`
    const {series, seen} = scan(text)
    expect(series).toBe(2)
    expect(seen).toEqual([
      {
        metric: {pod: 'a"b}]', container: 'c\\d'},
        points: [
          [1, 2],
          [2, 3],
        ],
      },
      {metric: {pod: 'h'}, points: []},
    ])
  })

  it('skips a series whose sink is undefined, and refuses what is not a range answer', () => {
    const text = JSON.stringify({status: 'success', data: {result: [{metric: {pod: 'x'}, values: [[1, '1']]}]}})
    expect(scanMatrix(text, () => undefined)).toBe(1)
    expect(() =>
      scanMatrix('{"status":"success","data":{"result":[{"metric":{},"values":[[1,2]]}]}}', () => () => {}),
    ).toThrow(SyntaxError)
    expect(() => scanMatrix('{"status":"success","data":{"result":[', () => () => {})).toThrow(SyntaxError)
  })
})
