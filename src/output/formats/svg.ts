import {formatByKind} from '../output-format.js'

/** The result's chart as a standalone SVG file (with its title and description for screen readers). */
export const svgFormat = formatByKind({
  description: 'the chart as an SVG image (to stdout or --out FILE)',
  writes: 'text',
  renderers: {
    'cost-report': async () => (await import('../charts/result-charts.js')).renderCostReportSvg,
    forecast: async () => (await import('../charts/result-charts.js')).renderForecastSvg,
    'budget-status': async () => (await import('../charts/result-charts.js')).renderBudgetStatusSvg,
  },
})
