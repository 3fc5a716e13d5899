import {formatByKind} from '../output-format.js'

/** The result's chart as a PNG image (needs --out FILE). */
export const pngFormat = formatByKind({
  description: 'the chart as a PNG image (needs --out FILE)',
  writes: 'binary',
  renderers: {
    'cost-report': async () => {
      const [{renderCostReportSvg}, {svgToPng}] = await Promise.all([
        import('../charts/result-charts.js'),
        import('../charts/png.js'),
      ])
      return (report, options) => svgToPng(renderCostReportSvg(report, options))
    },
    forecast: async () => {
      const [{renderForecastSvg}, {svgToPng}] = await Promise.all([
        import('../charts/result-charts.js'),
        import('../charts/png.js'),
      ])
      return (forecast) => svgToPng(renderForecastSvg(forecast))
    },
    'budget-status': async () => {
      const [{renderBudgetStatusSvg}, {svgToPng}] = await Promise.all([
        import('../charts/result-charts.js'),
        import('../charts/png.js'),
      ])
      return (result) => svgToPng(renderBudgetStatusSvg(result))
    },
  },
})
