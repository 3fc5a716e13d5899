import {type PointModel, WEEK} from './types.js'

/** Each future day repeats the same weekday of the last observed week. */
export const seasonalNaive: PointModel = {
  description: 'seasonal naive: each day repeats the same weekday of the last week',
  forecast(y, horizon) {
    const n = y.length
    const out: number[] = []
    for (let h = 0; h < horizon; h++) {
      const back = n - WEEK + (h % WEEK)
      out.push(back >= 0 ? y[back]! : y[n - 1]!)
    }
    return out
  },
}
