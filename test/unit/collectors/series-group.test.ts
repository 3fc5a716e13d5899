import {describe, expect, it} from 'vitest'

import {type Combine, groupSeries} from '../../../src/collectors/k8s/series-group.js'

type Series = {metric: Record<string, string>; points: [number, number][]}

const run = (combine: Combine, input: Series[]): Series[] => {
  const out: Series[] = []
  const grouped = groupSeries(
    (m) => (m.pod === undefined ? undefined : `${m.pod}/${m.container}`),
    combine,
    (metric) => {
      const entry: Series = {metric, points: []}
      out.push(entry)
      return (t, v) => entry.points.push([t, v])
    },
  )
  for (const s of input) {
    const point = grouped.read(s.metric)
    for (const [t, v] of s.points) point?.(t, v)
  }
  grouped.flush()
  return out
}

describe('groupSeries combines the series of one container as sum by / max by would', () => {
  const a1 = {
    metric: {pod: 'a', container: 'app', id: '/1'},
    points: [
      [0, 1],
      [300, 2],
      [600, NaN],
    ],
  } as Series
  const a2 = {
    metric: {pod: 'a', container: 'app', id: '/2'},
    points: [
      [300, 5],
      [600, 3],
      [900, 4],
    ],
  } as Series
  const b = {metric: {pod: 'b', container: 'app'}, points: [[0, 7]]} as Series

  it('sums the points of one timestamp, keeps lone points, and passes a single series through', () => {
    expect(run('sum', [a1, b, a2])).toEqual([
      {
        metric: a1.metric,
        points: [
          [0, 1],
          [300, 7],
          [600, NaN],
          [900, 4],
        ],
      },
      b,
    ])
  })

  it('takes the maximum, where any value replaces a NaN', () => {
    expect(run('max', [a1, a2]).map((s) => s.points)).toEqual([
      [
        [0, 1],
        [300, 5],
        [600, 3],
        [900, 4],
      ],
    ])
  })

  it('drops series without the key labels and starts afresh after a flush', () => {
    const out: number[] = []
    const grouped = groupSeries(
      (m) => m.pod,
      'sum',
      () => (_t, v) => out.push(v),
    )
    expect(grouped.read({container: 'x'})).toBeUndefined()
    grouped.read({pod: 'p'})?.(0, 1)
    grouped.flush()
    grouped.read({pod: 'p'})?.(0, 2)
    grouped.flush()
    expect(out).toEqual([1, 2])
  })
})
