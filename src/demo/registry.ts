import {applyStep} from './steps/apply.js'
import {billingStep} from './steps/billing.js'
import {budgetsStep} from './steps/budgets.js'
import {clusterStep} from './steps/cluster.js'
import {forecastStep} from './steps/forecast.js'
import {recommendStep} from './steps/recommend.js'
import {reportStep} from './steps/report.js'
import type {DemoStep} from './steps.js'

/**
 * The demo's sections, in order. Each capability adds its own step file next to this one and one
 * line here (billing import and cost report first; forecast, recommendations, ... after).
 */
export const demoSteps: readonly DemoStep[] = [
  billingStep,
  forecastStep,
  budgetsStep,
  clusterStep,
  recommendStep,
  applyStep,
  reportStep,
]
