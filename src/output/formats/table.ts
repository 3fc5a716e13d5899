import {formatByKind} from '../output-format.js'

/** The human view of every result: tables and one-line summaries (the default). */
export const tableFormat = formatByKind({
  description: 'tables and summaries for people (the default)',
  writes: 'text',
  renderers: {
    'cost-report': async () => (await import('../cost-report-format.js')).renderCostReportText,
    'cost-allocation': async () => (await import('../allocation-format.js')).renderAllocationText,
    forecast: async () => (await import('../forecast-format.js')).renderForecast,
    recommend: async () => (await import('../recommend-format.js')).renderRecommendTable,
    apply: async () => (await import('../apply-format.js')).renderApplyReport,
    rollback: async () => (await import('../apply-format.js')).renderRollbackReport,
    'actions-list': async () => (await import('../apply-format.js')).renderActionsList,
    'budget-list': async () => (await import('../budget-format.js')).renderBudgetListResult,
    'budget-set': async () => (await import('../budget-format.js')).renderBudgetSet,
    'budget-remove': async () => (await import('../budget-format.js')).renderBudgetRemove,
    'budget-status': async () => (await import('../budget-format.js')).renderBudgetStatusResult,
    'alert-check': async () => (await import('../alert-check-format.js')).renderAlertCheck,
    'anomaly-list': async () => (await import('../anomaly-format.js')).renderAnomalyList,
    'anomaly-ack': async () => (await import('../anomaly-format.js')).renderAnomalyAck,
    'anomaly-unack': async () => (await import('../anomaly-format.js')).renderAnomalyUnack,
    'anomaly-mute': async () => (await import('../anomaly-format.js')).renderAnomalyMute,
    'anomaly-unmute': async () => (await import('../anomaly-format.js')).renderAnomalyUnmute,
    'alert-digest': async () => (await import('../alert-digest-format.js')).renderAlertDigest,
    'collect-cloud': async () => (await import('../collect-format.js')).renderCollectCloud,
    'collect-gcp': async () => (await import('../collect-format.js')).renderCollectGcp,
    'collect-all': async () => (await import('../collect-format.js')).renderCollectAll,
    'collect-focus': async () => (await import('../collect-format.js')).renderCollectFocus,
    'collect-k8s': async () => (await import('../collect-format.js')).renderCollectK8s,
    'collect-usage': async () => (await import('../collect-format.js')).renderCollectUsage,
  },
})
