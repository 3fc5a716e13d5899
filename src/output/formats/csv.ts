import {formatByKind} from '../output-format.js'

/** Spreadsheet rows: numbers unformatted, one header line; every cell goes through csvField. */
export const csvFormat = formatByKind({
  description: 'CSV with a header row, numbers unformatted (for spreadsheets)',
  writes: 'text',
  renderers: {
    'cost-report': async () => (await import('../cost-report-format.js')).renderCostReportCsv,
    'cost-allocation': async () => (await import('../allocation-format.js')).renderAllocationCsv,
    forecast: async () => (await import('../forecast-format.js')).renderForecastCsv,
    recommend: async () => (await import('../recommend-format.js')).renderRecommendCsv,
  },
})
