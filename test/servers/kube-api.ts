/**
 * A local HTTP server speaking the Kubernetes REST API over an in-memory object store, for driving
 * the real @kubernetes/client-node (and anything else that talks to an API server) in tests.
 *
 * What it serves (JSON only, no watch, no protobuf):
 * - GET list, cluster-wide (`/apis/apps/v1/deployments`) and namespaced
 *   (`/apis/apps/v1/namespaces/ns/deployments`), with `limit`/`continue` pagination and
 *   `labelSelector` (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`) and
 *   `fieldSelector` on metadata.name / metadata.namespace / spec.nodeName (equality).
 * - GET, POST (create), PUT (replace), PATCH (merge-patch, strategic-merge-patch — containers and other
 *   lists of named objects merged by name, `$patch: delete` honoured — and json-patch), DELETE.
 * - The `scale` subresource (GET/PATCH/PUT) for deployments, statefulsets and replicasets.
 * - The pods' `resize` subresource (GET/PATCH/PUT) of Kubernetes 1.33+, its validation and the node's
 *   answer (Deferred, Infeasible, actuated) in the pod's status: see kube-api-resize.ts. With
 *   `resize: false` the server is an older cluster: the subresource is 404 and discovery omits it.
 * - Discovery of the core group (`GET /api/v1`): its resources and subresources.
 * - resourceVersion: one counter bumped on every write; a write whose body carries a stale
 *   metadata.resourceVersion gets 409 Conflict, as the real server does.
 * - 404 NotFound, 403 Forbidden for resources/verbs you `forbid()`, 401 when `token` is set and the
 *   request's bearer differs, and `failNext()` to inject failures (status, count, matching method/path).
 * - `requests`: a log of every request (method, path, query, content type, parsed body, status).
 *
 * Resources: core/v1 (pods, nodes, namespaces, persistentvolumeclaims, persistentvolumes, services,
 * configmaps, limitranges, events), apps/v1 (deployments, statefulsets, daemonsets, replicasets), batch/v1 (jobs,
 * cronjobs), policy/v1 (poddisruptionbudgets), autoscaling/v2 and v1 (horizontalpodautoscalers),
 * metrics.k8s.io/v1beta1 (pods = PodMetrics, nodes = NodeMetrics). Add more with `defineResource()`.
 *
 * Connect with `server.kubeconfig()`: a kubeconfig string with `server: http://127.0.0.1:PORT` and
 * `insecure-skip-tls-verify: true` (client-node refuses plain http otherwise).
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'

import {kubeletAnswer, ResizeError, resizedPod} from './kube-api-resize.js'

export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    resourceVersion?: string
    uid?: string
    generation?: number
    creationTimestamp?: string
    ownerReferences?: {apiVersion?: string; kind: string; name: string; uid?: string; controller?: boolean}[]
    [key: string]: unknown
  }
  [key: string]: unknown
}

export interface ResourceDef {
  /** '' for core */
  group: string
  version: string
  plural: string
  kind: string
  namespaced: boolean
  /** Kinds whose objects can be served through the `scale` subresource. */
  scalable?: boolean
  /** A custom resource: like the real server, it refuses strategic-merge patches (415). */
  custom?: boolean
}

/** Argo Rollouts' CRD (argoproj.io/v1alpha1 rollouts, with the scale subresource): `defineResource(ARGO_ROLLOUTS)`. */
export const ARGO_ROLLOUTS: ResourceDef = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'rollouts',
  kind: 'Rollout',
  namespaced: true,
  scalable: true,
  custom: true,
}

const DEFAULT_RESOURCES: ResourceDef[] = [
  {group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true},
  {group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false},
  {group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false},
  {group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true},
  {group: '', version: 'v1', plural: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false},
  {group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true},
  {group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true},
  {group: '', version: 'v1', plural: 'limitranges', kind: 'LimitRange', namespaced: true},
  {group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true},
  {group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, scalable: true},
  {group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true, scalable: true},
  {group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true},
  {group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true, scalable: true},
  {group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true},
  {group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', namespaced: true},
  {group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true},
  {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  {
    group: 'autoscaling',
    version: 'v1',
    plural: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  {group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', kind: 'PodMetrics', namespaced: true},
  {group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes', kind: 'NodeMetrics', namespaced: false},
]

export interface LoggedRequest {
  method: string
  path: string
  query: Record<string, string>
  contentType?: string
  /** Parsed JSON body (undefined for GET or non-JSON). */
  body?: unknown
  status: number
}

/** A failure to inject: the next `times` requests matching method and path get `status`. */
export interface FaultRule {
  method?: string
  /** Substring of the path, or a RegExp tested against it. */
  path?: string | RegExp
  /** Any further condition on the request, e.g. `(r) => r.query.continue !== undefined`. */
  when?: (request: {method: string; path: string; query: Record<string, string>}) => boolean
  status: number
  times?: number
  /** Status message; a Kubernetes Status body is built around it. */
  message?: string
  /** Seconds to put in Retry-After (for 429/503 tests). */
  retryAfter?: number
}

export interface KubeApiOptions {
  objects?: readonly KubeObject[]
  /** Bearer token every request must carry (else 401); unset = no auth check. */
  token?: string
  resources?: readonly ResourceDef[]
  /** Serve the pods' resize subresource (Kubernetes 1.33+); false: an older cluster (404). Default true. */
  resize?: boolean
}

export interface KubeApiServer {
  readonly url: string
  readonly port: number
  /** Every request served, in order. */
  readonly requests: LoggedRequest[]
  /** A kubeconfig (YAML) pointing at this server; `context` names the context and cluster. */
  kubeconfig(options?: {context?: string; namespace?: string; token?: string}): string
  /** Adds or replaces objects (resourceVersion bumped). apiVersion + kind pick the resource. */
  put(...objects: KubeObject[]): void
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[]
  remove(apiVersion: string, kind: string, name: string, namespace?: string): boolean
  /** Makes `verbs` (default all) on a resource answer 403: `forbid('apps/deployments')`, `forbid('pods', ['list'])`. */
  forbid(resource: string, verbs?: string[]): void
  allowAll(): void
  failNext(rule: FaultRule): void
  /** Drops every pending injected failure. */
  clearFaults(): void
  defineResource(def: ResourceDef): void
  clearLog(): void
  close(): Promise<void>
}

type Verb = 'list' | 'get' | 'create' | 'update' | 'patch' | 'delete'

interface Route {
  def: ResourceDef
  namespace?: string
  name?: string
  subresource?: string
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startKubeApi(options: KubeApiOptions = {}): Promise<KubeApiServer> {
  const resources = [...(options.resources ?? DEFAULT_RESOURCES)]
  const store = new Map<string, KubeObject>()
  const forbidden = new Map<string, Set<string> | 'all'>()
  const faults: (FaultRule & {left: number})[] = []
  const requests: LoggedRequest[] = []
  let resourceVersion = 1000
  let uidCounter = 0

  const groupVersion = (def: ResourceDef): string => (def.group ? `${def.group}/${def.version}` : def.version)
  const resourceName = (def: ResourceDef): string => (def.group ? `${def.plural}.${def.group}` : def.plural)
  // Objects are stored once per group+plural (not per version), so autoscaling v1 and v2 share HPAs.
  const storeKey = (def: ResourceDef, namespace: string | undefined, name: string): string =>
    `${def.group}/${def.plural}/${def.namespaced ? (namespace ?? '') : ''}/${name}`

  const defFor = (apiVersion: string, kind: string): ResourceDef => {
    const def =
      resources.find((r) => groupVersion(r) === apiVersion && r.kind === kind) ??
      resources.find((r) => r.kind === kind && r.group === (apiVersion.includes('/') ? apiVersion.split('/')[0] : ''))
    if (!def)
      throw new Error(`kube-api test server: no resource for ${apiVersion} ${kind}; add it with defineResource()`)
    return def
  }

  const stamp = (def: ResourceDef, obj: KubeObject, previous?: KubeObject): KubeObject => {
    resourceVersion++
    const out = structuredClone(obj)
    out.apiVersion = groupVersion(def)
    out.kind = def.kind
    out.metadata.resourceVersion = String(resourceVersion)
    out.metadata.uid = previous?.metadata.uid ?? obj.metadata.uid ?? `uid-${++uidCounter}`
    out.metadata.creationTimestamp =
      previous?.metadata.creationTimestamp ??
      obj.metadata.creationTimestamp ??
      new Date(Date.UTC(2024, 0, 1)).toISOString()
    out.metadata.generation = (previous?.metadata.generation ?? obj.metadata.generation ?? 0) + 1
    if (!def.namespaced) delete out.metadata.namespace
    return out
  }

  const putObject = (obj: KubeObject): void => {
    const def = defFor(obj.apiVersion ?? 'v1', obj.kind ?? '')
    if (def.namespaced && !obj.metadata.namespace) obj = {...obj, metadata: {...obj.metadata, namespace: 'default'}}
    const key = storeKey(def, obj.metadata.namespace, obj.metadata.name)
    store.set(key, stamp(def, obj, store.get(key)))
  }

  for (const obj of options.objects ?? []) putObject(obj)

  const objectsOf = (def: ResourceDef, namespace?: string): KubeObject[] => {
    const prefix = `${def.group}/${def.plural}/`
    const out: KubeObject[] = []
    for (const [key, obj] of store) {
      if (!key.startsWith(prefix)) continue
      if (namespace !== undefined && def.namespaced && obj.metadata.namespace !== namespace) continue
      out.push(obj)
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    )
  }

  const route = (pathname: string): Route | undefined => {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent)
    let group: string
    let version: string
    let rest: string[]
    if (parts[0] === 'api' && parts.length >= 2) {
      group = ''
      version = parts[1]!
      rest = parts.slice(2)
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1]!
      version = parts[2]!
      rest = parts.slice(3)
    } else {
      return undefined
    }
    const find = (plural: string) =>
      resources.find((r) => r.group === group && r.version === version && r.plural === plural)
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const def = find(rest[2]!)
      if (def?.namespaced) return {def, namespace: rest[1], name: rest[3], subresource: rest[4]}
    }
    const def = find(rest[0] ?? '')
    if (!def) return undefined
    return {def, name: rest[1], subresource: rest[2]}
  }

  const notFound = (def: ResourceDef, name: string) =>
    new HttpError(404, 'NotFound', `${resourceName(def)} "${name}" not found`, {
      name,
      group: def.group,
      kind: def.plural,
    })

  const checkForbidden = (def: ResourceDef, verb: Verb, namespace?: string): void => {
    const rules = [forbidden.get(`${def.group ? `${def.group}/` : ''}${def.plural}`), forbidden.get(def.plural)]
    for (const rule of rules) {
      if (rule && (rule === 'all' || rule.has(verb))) {
        const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'
        throw new HttpError(
          403,
          'Forbidden',
          `${resourceName(def)} is forbidden: User "system:serviceaccount:finops:finops" ` +
            `cannot ${verb} resource "${def.plural}" in API group "${def.group}" ${scope}`,
          {group: def.group, kind: def.plural},
        )
      }
    }
  }

  const handle = (req: http.IncomingMessage, url: URL, body: unknown): {status: number; body: unknown} => {
    if (url.pathname.replace(/\/$/, '') === '/api/v1' && req.method === 'GET')
      return {status: 200, body: coreDiscovery()}
    const r = route(url.pathname)
    if (!r) throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`)
    const {def, namespace, name, subresource} = r
    const method = req.method ?? 'GET'
    const verb: Verb =
      method === 'GET'
        ? name
          ? 'get'
          : 'list'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : method === 'DELETE'
                ? 'delete'
                : 'get'
    checkForbidden(def, verb, namespace)

    if (!name) {
      if (method === 'GET') return {status: 200, body: listResponse(def, namespace, url.searchParams)}
      if (method === 'POST') return {status: 201, body: create(def, namespace, body)}
      throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on a collection`)
    }
    const key = storeKey(def, namespace, name)
    const existing = store.get(key)
    if (subresource === 'scale') return scale(def, key, existing, name, method, req, body)
    if (subresource === 'resize' && def.group === '' && def.plural === 'pods' && options.resize !== false)
      return resize(def, key, existing, name, method, req, body)
    if (subresource && subresource !== 'status')
      throw new HttpError(404, 'NotFound', `subresource ${subresource} is not served`)

    if (method === 'GET') {
      if (!existing) throw notFound(def, name)
      return {status: 200, body: existing}
    }
    if (method === 'DELETE') {
      if (!existing) throw notFound(def, name)
      store.delete(key)
      resourceVersion++
      return {status: 200, body: existing}
    }
    if (method === 'PUT') {
      if (!existing) throw notFound(def, name)
      const next = body as KubeObject
      if (!next?.metadata) throw new HttpError(400, 'BadRequest', 'the body of a PUT must be an object with metadata')
      checkVersion(def, name, existing, next.metadata.resourceVersion)
      const updated = stamp(def, {...next, metadata: {...next.metadata, name, namespace}}, existing)
      store.set(key, updated)
      return {status: 200, body: updated}
    }
    if (method === 'PATCH') {
      if (!existing) throw notFound(def, name)
      if (def.custom && (req.headers['content-type'] ?? '').startsWith('application/strategic-merge-patch+json'))
        throw new HttpError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, ` +
            `application/merge-patch+json, application/apply-patch+yaml`,
        )
      const patched = applyPatch(existing, body, req.headers['content-type'])
      checkVersion(def, name, existing, (body as KubeObject | undefined)?.metadata?.resourceVersion)
      const updated = stamp(def, {...patched, metadata: {...patched.metadata, name, namespace}}, existing)
      store.set(key, updated)
      return {status: 200, body: updated}
    }
    throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported`)
  }

  const checkVersion = (def: ResourceDef, name: string, existing: KubeObject, sent: unknown): void => {
    if (sent !== undefined && sent !== null && sent !== '' && String(sent) !== existing.metadata.resourceVersion) {
      throw new HttpError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resourceName(def)} "${name}": the object has been modified; please apply your changes to the latest ` +
          `version and try again`,
        {name, group: def.group, kind: def.plural},
      )
    }
  }

  const create = (def: ResourceDef, namespace: string | undefined, body: unknown): KubeObject => {
    const obj = body as KubeObject
    if (!obj?.metadata?.name)
      throw new HttpError(422, 'Invalid', `${def.kind} is invalid: metadata.name: Required value`)
    const key = storeKey(def, namespace ?? obj.metadata.namespace, obj.metadata.name)
    if (store.has(key))
      throw new HttpError(409, 'AlreadyExists', `${resourceName(def)} "${obj.metadata.name}" already exists`)
    const created = stamp(def, {...obj, metadata: {...obj.metadata, namespace: namespace ?? obj.metadata.namespace}})
    store.set(key, created)
    return created
  }

  const scaleOf = (def: ResourceDef, obj: KubeObject) => {
    const spec = (obj.spec ?? {}) as {replicas?: number; selector?: {matchLabels?: Record<string, string>}}
    const status = (obj.status ?? {}) as {replicas?: number}
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: {replicas: spec.replicas ?? 1},
      status: {
        replicas: status.replicas ?? 0,
        selector: Object.entries(spec.selector?.matchLabels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    }
  }

  const scale = (
    def: ResourceDef,
    key: string,
    existing: KubeObject | undefined,
    name: string,
    method: string,
    req: http.IncomingMessage,
    body: unknown,
  ) => {
    if (!def.scalable) throw new HttpError(404, 'NotFound', `${resourceName(def)} has no scale subresource`)
    if (!existing) throw notFound(def, name)
    const current = scaleOf(def, existing)
    if (method === 'GET') return {status: 200, body: current}
    if (method !== 'PATCH' && method !== 'PUT')
      throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on scale`)
    const next =
      method === 'PUT'
        ? (body as KubeObject)
        : applyPatch(current as unknown as KubeObject, body, req.headers['content-type'])
    checkVersion(def, name, existing, (body as KubeObject | undefined)?.metadata?.resourceVersion)
    const replicas = (next as {spec?: {replicas?: unknown}}).spec?.replicas
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new HttpError(
        422,
        'Invalid',
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a non-negative integer`,
      )
    }
    const updated = stamp(def, {...existing, spec: {...(existing.spec as object), replicas}}, existing)
    store.set(key, updated)
    return {status: 200, body: scaleOf(def, updated)}
  }

  const coreDiscovery = () => {
    const core = resources.filter((d) => d.group === '' && d.version === 'v1')
    const entry = (name: string, kind: string, namespaced: boolean, verbs: string[]) => ({
      name,
      singularName: name.includes('/') ? '' : kind.toLowerCase(),
      namespaced,
      kind,
      verbs,
    })
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'v1',
      resources: [
        ...core.map((d) =>
          entry(d.plural, d.kind, d.namespaced, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']),
        ),
        ...(core.some((d) => d.plural === 'pods')
          ? [
              entry('pods/status', 'Pod', true, ['get', 'patch', 'update']),
              ...(options.resize === false ? [] : [entry('pods/resize', 'Pod', true, ['get', 'patch', 'update'])]),
            ]
          : []),
      ],
    }
  }

  // The resize subresource: the API server's write (only container resources kept, validated), then the kubelet's answer.
  const resize = (
    def: ResourceDef,
    key: string,
    existing: KubeObject | undefined,
    name: string,
    method: string,
    req: http.IncomingMessage,
    body: unknown,
  ) => {
    if (!existing) throw notFound(def, name)
    if (method === 'GET') return {status: 200, body: existing}
    if (method !== 'PATCH' && method !== 'PUT')
      throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on resize`)
    const next = method === 'PUT' ? (body as KubeObject) : applyPatch(existing, body, req.headers['content-type'])
    if (!next?.metadata && method === 'PUT')
      throw new HttpError(400, 'BadRequest', 'the body of a PUT must be an object with metadata')
    checkVersion(def, name, existing, (body as KubeObject | undefined)?.metadata?.resourceVersion)
    let pod: KubeObject
    try {
      pod = resizedPod(existing, next)
    } catch (error) {
      if (error instanceof ResizeError) throw new HttpError(error.status, error.reason, error.message)
      throw error
    }
    const written = stamp(def, pod, existing)
    const nodes = objectsOf(defFor('v1', 'Node'))
    const answered = kubeletAnswer(written, nodes, objectsOf(def), new Date())
    store.set(key, stamp(def, answered, written))
    return {status: 200, body: written}
  }

  const listResponse = (def: ResourceDef, namespace: string | undefined, params: URLSearchParams) => {
    let items = objectsOf(def, namespace)
    const labelSelector = params.get('labelSelector')
    if (labelSelector) {
      const match = parseLabelSelector(labelSelector)
      items = items.filter((o) => match(o.metadata.labels ?? {}))
    }
    const fieldSelector = params.get('fieldSelector')
    if (fieldSelector) items = items.filter(parseFieldSelector(fieldSelector))
    let offset = 0
    const token = params.get('continue')
    if (token) {
      const decoded = decodeContinue(token)
      if (decoded === undefined) throw new HttpError(400, 'BadRequest', 'continue key is not valid')
      offset = decoded
    }
    const limit = Number(params.get('limit') ?? 0)
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset)
    const next = offset + page.length
    const metadata: Record<string, unknown> = {resourceVersion: String(resourceVersion)}
    if (limit > 0 && next < items.length) {
      metadata.continue = Buffer.from(JSON.stringify({o: next, rv: resourceVersion})).toString('base64url')
      metadata.remainingItemCount = items.length - next
    }
    return {apiVersion: groupVersion(def), kind: `${def.kind}List`, metadata, items: page}
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const raw = Buffer.concat(chunks).toString('utf8')
      let body: unknown
      const entry: LoggedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers['content-type'],
        status: 0,
      }
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        entry.status = status
        requests.push(entry)
        res.writeHead(status, {'Content-Type': 'application/json', ...headers})
        res.end(JSON.stringify(payload))
      }
      try {
        if (raw) {
          try {
            body = JSON.parse(raw)
          } catch {
            throw new HttpError(400, 'BadRequest', 'the request body is not valid JSON')
          }
        }
        entry.body = body
        if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
          throw new HttpError(401, 'Unauthorized', 'Unauthorized')
        }
        const fault = faults.find(
          (f) =>
            f.left > 0 &&
            (!f.method || f.method.toUpperCase() === req.method) &&
            (!f.path || (typeof f.path === 'string' ? url.pathname.includes(f.path) : f.path.test(url.pathname))) &&
            (!f.when || f.when({method: entry.method, path: entry.path, query: entry.query})),
        )
        if (fault) {
          fault.left--
          const headers: Record<string, string> =
            fault.retryAfter === undefined ? {} : {'Retry-After': String(fault.retryAfter)}
          send(
            fault.status,
            statusBody(fault.status, reasonFor(fault.status), fault.message ?? `injected failure ${fault.status}`),
            headers,
          )
          return
        }
        const result = handle(req, url, body)
        send(result.status, result.body)
      } catch (error) {
        if (error instanceof HttpError)
          send(error.status, statusBody(error.status, error.reason, error.message, error.details))
        else send(500, statusBody(500, 'InternalError', String((error as Error).message ?? error)))
      }
    })
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    port,
    requests,
    kubeconfig: ({context = 'test', namespace, token} = {}) =>
      [
        'apiVersion: v1',
        'kind: Config',
        `current-context: ${context}`,
        'clusters:',
        `- name: ${context}`,
        '  cluster:',
        `    server: ${url}`,
        '    insecure-skip-tls-verify: true',
        'contexts:',
        `- name: ${context}`,
        '  context:',
        `    cluster: ${context}`,
        `    user: ${context}-user`,
        ...(namespace ? [`    namespace: ${namespace}`] : []),
        'users:',
        `- name: ${context}-user`,
        '  user:',
        `    token: ${token ?? options.token ?? 'test-token'}`,
        '',
      ].join('\n'),
    put: (...objects) => objects.forEach(putObject),
    get: (apiVersion, kind, name, namespace) => {
      const def = defFor(apiVersion, kind)
      const obj = store.get(storeKey(def, namespace, name))
      return obj && structuredClone(obj)
    },
    list: (apiVersion, kind, namespace) =>
      objectsOf(defFor(apiVersion, kind), namespace).map((o) => structuredClone(o)),
    remove: (apiVersion, kind, name, namespace) => store.delete(storeKey(defFor(apiVersion, kind), namespace, name)),
    forbid: (resource, verbs) => forbidden.set(resource, verbs ? new Set(verbs) : 'all'),
    allowAll: () => forbidden.clear(),
    failNext: (rule) => faults.push({...rule, left: rule.times ?? 1}),
    clearFaults: () => faults.splice(0, faults.length),
    defineResource: (def) => resources.push(def),
    clearLog: () => requests.splice(0, requests.length),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

function reasonFor(status: number): string {
  return (
    (
      {
        410: 'Expired',
        400: 'BadRequest',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'NotFound',
        409: 'Conflict',
        422: 'Invalid',
        429: 'TooManyRequests',
        500: 'InternalError',
        503: 'ServiceUnavailable',
      } as Record<number, string>
    )[status] ?? 'Unknown'
  )
}

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code}
}

function decodeContinue(token: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {o?: unknown}
    return typeof parsed.o === 'number' && parsed.o >= 0 ? parsed.o : undefined
  } catch {
    return undefined
  }
}

/** Equality, inequality, existence and set-based label selectors, comma-separated (ANDed). */
export function parseLabelSelector(selector: string): (labels: Record<string, string>) => boolean {
  const terms: ((labels: Record<string, string>) => boolean)[] = []
  // Split on commas outside parentheses.
  const parts = selector.match(/[^,(]+(\([^)]*\))?[^,]*/g) ?? []
  for (const rawPart of parts) {
    const part = rawPart.trim()
    if (!part) continue
    let m: RegExpExecArray | null
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const [, key, op, list] = m
      const values = new Set(list!.split(',').map((v) => v.trim()))
      terms.push(op === 'in' ? (l) => key! in l && values.has(l[key!]!) : (l) => !(key! in l) || !values.has(l[key!]!))
    } else if ((m = /^([\w./-]+)\s*!=\s*(.*)$/.exec(part))) {
      const [, key, value] = m
      terms.push((l) => l[key!] !== value!.trim())
    } else if ((m = /^([\w./-]+)\s*==?\s*(.*)$/.exec(part))) {
      const [, key, value] = m
      terms.push((l) => l[key!] === value!.trim())
    } else if ((m = /^!([\w./-]+)$/.exec(part))) {
      const key = m[1]!
      terms.push((l) => !(key in l))
    } else if (/^[\w./-]+$/.test(part)) {
      terms.push((l) => part in l)
    } else {
      throw new HttpError(400, 'BadRequest', `unable to parse requirement: ${part}`)
    }
  }
  return (labels) => terms.every((t) => t(labels))
}

function parseFieldSelector(selector: string): (obj: KubeObject) => boolean {
  const terms = selector
    .split(',')
    .filter(Boolean)
    .map((part) => {
      const m = /^([\w.]+)\s*(!=|==|=)\s*(.*)$/.exec(part.trim())
      if (!m) throw new HttpError(400, 'BadRequest', `invalid field selector: ${part}`)
      const [, field, op, value] = m
      const read = (o: KubeObject): unknown =>
        field!.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o)
      return (o: KubeObject) => (op === '!=' ? String(read(o) ?? '') !== value : String(read(o) ?? '') === value)
    })
  return (o) => terms.every((t) => t(o))
}

/** Applies a PATCH body by its content type, as the API server does for the fields we model. */
export function applyPatch(target: KubeObject, patch: unknown, contentType: string | undefined): KubeObject {
  const type = (contentType ?? '').split(';')[0]!.trim()
  if (type === 'application/json-patch+json') {
    if (!Array.isArray(patch))
      throw new HttpError(400, 'BadRequest', 'a json-patch body must be an array of operations')
    return jsonPatch(target, patch as JsonPatchOp[])
  }
  if (type === 'application/merge-patch+json') return mergePatch(target, patch, false) as KubeObject
  if (type === 'application/strategic-merge-patch+json') return mergePatch(target, patch, true) as KubeObject
  throw new HttpError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, ` +
      `application/strategic-merge-patch+json (got ${type || 'none'})`,
  )
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * RFC 7386 merge patch; with `strategic`, arrays whose elements are objects with a `name` (containers,
 * volumes, env, ports) are merged element-wise by name and `$patch: delete` removes an element.
 */
export function mergePatch(target: unknown, patch: unknown, strategic: boolean): unknown {
  if (!isObject(patch)) {
    if (strategic && Array.isArray(patch) && Array.isArray(target) && isNamedList(patch) && isNamedList(target))
      return mergeNamedLists(target, patch)
    return structuredClone(patch)
  }
  const out: Record<string, unknown> = isObject(target) ? structuredClone(target) : {}
  for (const [key, value] of Object.entries(patch)) {
    if (strategic && key === '$patch') continue
    if (value === null) delete out[key]
    else out[key] = mergePatch(out[key], value, strategic)
  }
  return out
}

const isNamedList = (list: unknown[]): boolean =>
  list.length > 0 && list.every((e) => isObject(e) && typeof e.name === 'string')

function mergeNamedLists(target: unknown[], patch: unknown[]): unknown[] {
  const out = structuredClone(target) as Record<string, unknown>[]
  for (const element of patch as Record<string, unknown>[]) {
    const index = out.findIndex((e) => e.name === element.name)
    if (element.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1)
    } else if (index >= 0) {
      out[index] = mergePatch(out[index], element, true) as Record<string, unknown>
    } else {
      out.push(mergePatch({}, element, true) as Record<string, unknown>)
    }
  }
  return out
}

interface JsonPatchOp {
  op: string
  path: string
  value?: unknown
  from?: string
}

/** RFC 6902 json-patch (add, remove, replace, move, copy, test). */
export function jsonPatch(target: KubeObject, ops: readonly JsonPatchOp[]): KubeObject {
  const doc = structuredClone(target) as unknown as Record<string, unknown>
  const pointer = (path: string): string[] => {
    if (path === '') return []
    if (!path.startsWith('/')) throw new HttpError(422, 'Invalid', `json-patch path "${path}" must start with /`)
    return path
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  }
  const parentOf = (path: string): {parent: Record<string, unknown> | unknown[]; key: string} => {
    const tokens = pointer(path)
    const key = tokens.pop()
    if (key === undefined) throw new HttpError(422, 'Invalid', 'json-patch cannot replace the whole document')
    let node: unknown = doc
    for (const t of tokens) {
      node = Array.isArray(node) ? node[Number(t)] : (node as Record<string, unknown> | undefined)?.[t]
      if (node === undefined || node === null)
        throw new HttpError(422, 'Invalid', `json-patch path "${path}" does not exist`)
    }
    return {parent: node as Record<string, unknown>, key}
  }
  const read = (path: string): unknown => {
    const {parent, key} = parentOf(path)
    const value = Array.isArray(parent) ? parent[Number(key)] : parent[key]
    if (value === undefined) throw new HttpError(422, 'Invalid', `json-patch path "${path}" does not exist`)
    return value
  }
  const add = (path: string, value: unknown) => {
    const {parent, key} = parentOf(path)
    if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, structuredClone(value))
    else parent[key] = structuredClone(value)
  }
  const remove = (path: string) => {
    const {parent, key} = parentOf(path)
    read(path)
    if (Array.isArray(parent)) parent.splice(Number(key), 1)
    else delete parent[key]
  }
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        add(op.path, op.value)
        break
      case 'remove':
        remove(op.path)
        break
      case 'replace':
        read(op.path)
        remove(op.path)
        add(op.path, op.value)
        break
      case 'move': {
        const v = read(op.from ?? '')
        remove(op.from ?? '')
        add(op.path, v)
        break
      }
      case 'copy':
        add(op.path, read(op.from ?? ''))
        break
      case 'test':
        if (JSON.stringify(read(op.path)) !== JSON.stringify(op.value))
          throw new HttpError(422, 'Invalid', `json-patch test failed at ${op.path}`)
        break
      default:
        throw new HttpError(422, 'Invalid', `json-patch op "${op.op}" is not supported`)
    }
  }
  return doc as unknown as KubeObject
}
