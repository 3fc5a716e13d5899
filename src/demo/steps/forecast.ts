import {forecastCosts} from '../../cost/forecast.js'
import {renderBacktestText, renderForecastText} from '../../output/forecast-format.js'
import type {DemoStep} from '../steps.js'

/** The month-end projection with intervals, per provider, and how the chosen model did in its backtest. */
export const forecastStep: DemoStep = {
  title: 'Forecast: where this month and next will close, with 80% intervals',
  run({db, print}) {
    const forecast = forecastCosts(db, {
      level: 80,
      metric: 'effective',
      groupBy: [{kind: 'dimension', name: 'provider'}],
      filters: [],
      backtest: true,
    })
    print('$ finops forecast --group-by provider --backtest')
    print(renderForecastText(forecast))
    print(renderBacktestText(forecast))
  },
}
