import {z} from 'zod'

/** A Kubernetes object as `cronjob manifest` renders it: validated in full against the API schemas by the deploy tests. */
export const manifestSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
})

/** `cronjob manifest --json`: the objects `kubectl apply -f -` would get, in apply order. */
export const cronjobManifestSchema = z.strictObject({manifests: z.array(manifestSchema)})

/** A Kubernetes object as rendered (plain data; the deploy tests validate each against the API schemas). */
export type Manifest = z.output<typeof manifestSchema>
