/**
 * A point model: fits a contiguous daily series (index = day, weekly season of 7) and returns the
 * next `horizon` point forecasts. Pure and deterministic; intervals come from the backtest.
 */
export interface PointModel {
  description: string
  forecast: (y: readonly number[], horizon: number) => number[]
}

export const WEEK = 7
