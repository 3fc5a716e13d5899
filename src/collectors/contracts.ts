import {z} from 'zod'

import {collectAllSchema, sourceCollectors} from './registry.js'

/** `collect aws|azure|gcp --json`: one result per entry collected. */
const sourcesOf = <T extends z.ZodType>(result: T) => z.strictObject({sources: z.array(result)})

export const collectAwsSchema = sourcesOf(sourceCollectors.aws.result)
export const collectAzureSchema = sourcesOf(sourceCollectors.azure.result)
export const collectGcpSchema = sourcesOf(sourceCollectors.gcp.result)
export const collectAthenaSchema = sourcesOf(sourceCollectors.athena.result)
/** `collect focus --json`: the import's summary itself. */
export const collectFocusSchema = sourceCollectors.focus.result
export {collectAllSchema}
