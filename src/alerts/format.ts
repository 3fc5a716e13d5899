/** Label formatting shared by the Slack messages and the budget commands' tables. */

export const formatPercent = (percent: number): string => `${percent.toFixed(1)}%`

/** "key=value, key=value" for a budget scope, or "all costs". */
export const formatScope = (filters: readonly string[]): string =>
  filters.length > 0 ? filters.join(', ') : 'all costs'
