import type {AnomalyConfig} from '../config/sections/alerts.js'

/**
 * The anomaly settings with one band width for a run: a level given on the command line overrides the
 * groups' levels in finops.yaml too, so what the user asked for is what every series is judged at.
 */
export function withAnomalyLevel(config: AnomalyConfig, level: number | undefined): AnomalyConfig {
  if (level === undefined) return config
  return {...config, level, groups: config.groups.map(({level: _, ...group}) => group)}
}
