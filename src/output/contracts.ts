import {z} from 'zod'

import {forecastSchema} from '../../forecasters/schema.js'
import {recommendReportSchema} from '../../recommenders/schema.js'
import {
  alertCheckSchema,
  anomalyAckSchema,
  anomalyListSchema,
  anomalyMuteSchema,
  anomalyUnackSchema,
  anomalyUnmuteSchema,
  alertDigestSchema,
  budgetListSchema,
  budgetRemoveSchema,
  budgetSetSchema,
  budgetStatusSchema,
} from '../alerts/schemas.js'
import {actionsListSchema, applySchema, rollbackSchema} from '../apply/schemas.js'
import {
  collectAllSchema,
  collectAthenaSchema,
  collectAwsSchema,
  collectAzureSchema,
  collectFocusSchema,
  collectGcpSchema,
} from '../collectors/contracts.js'
import {costExportSchema, costReportSchema, demoSchema} from '../cost/schemas.js'
import {
  collectK8sFleetSchema,
  collectK8sSchema,
  collectUsageFleetSchema,
  collectUsageSchema,
  costAllocationSchema,
} from '../k8s/schemas.js'
import {cronjobManifestSchema} from '../model/manifest.js'
import {reportSchema} from '../report/schemas.js'
import {storeBackupSchema, storeRestoreSchema, storeVerifySchema} from '../backup/schemas.js'
import {savingsRecordSchema, savingsReportSchema} from '../savings/schemas.js'
import {commitmentsStatusSchema} from '../commitments/schemas.js'
import {commitmentRecommendReportSchema} from '../../recommenders/commitment/schema.js'

/**
 * Every command's `--json` contract, by command id (`cost report` is `cost-report`): the zod schema
 * its output is validated with, and from which docs/schemas/<id>.schema.json is generated.
 */
export const commandContracts = {
  'actions-list': actionsListSchema,
  'alert-check': alertCheckSchema,
  'anomaly-ack': anomalyAckSchema,
  'anomaly-list': anomalyListSchema,
  'anomaly-mute': anomalyMuteSchema,
  'anomaly-unack': anomalyUnackSchema,
  'anomaly-unmute': anomalyUnmuteSchema,
  'alert-digest': alertDigestSchema,
  apply: applySchema,
  'budget-list': budgetListSchema,
  'budget-remove': budgetRemoveSchema,
  'budget-set': budgetSetSchema,
  'budget-status': budgetStatusSchema,
  'collect-all': collectAllSchema,
  'commitments-status': commitmentsStatusSchema,
  'collect-athena': collectAthenaSchema,
  'collect-aws': collectAwsSchema,
  'collect-azure': collectAzureSchema,
  'collect-focus': collectFocusSchema,
  'collect-gcp': collectGcpSchema,
  'collect-k8s': z
    .union([collectK8sSchema, collectK8sFleetSchema])
    .describe('one cluster; with several contexts or kubernetes.clusters, one result per cluster and the failures'),
  'collect-usage': z
    .union([collectUsageSchema, collectUsageFleetSchema])
    .describe('one cluster; with kubernetes.clusters, one result per cluster and the failures'),
  'cost-allocation': costAllocationSchema,
  'cost-export': costExportSchema,
  'cost-report': z
    .union([costReportSchema, costAllocationSchema])
    .describe('the billing report; with --source k8s, the Kubernetes cost allocation report'),
  'cronjob-manifest': cronjobManifestSchema,
  demo: demoSchema,
  forecast: forecastSchema,
  recommend: z
    .union([recommendReportSchema, commitmentRecommendReportSchema])
    .describe('workload recommendations; with --kind commitment, the commitment options per eligible scope'),
  report: reportSchema,
  rollback: rollbackSchema,
  savings: savingsReportSchema,
  'savings-record': savingsRecordSchema,
  'store-backup': storeBackupSchema,
  'store-restore': storeRestoreSchema,
  'store-verify': storeVerifySchema,
} as const satisfies Record<string, z.ZodType>

export type CommandContractId = keyof typeof commandContracts
