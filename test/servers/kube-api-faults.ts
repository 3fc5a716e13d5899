/**
 * A pass-through proxy in front of the kube-api test server that can HOLD matching requests: the
 * client has sent them, the server has not seen them. Tests use it to kill a process between its
 * journal write and its change, or to change an object between a plan and its write (a real 409).
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'

export interface HoldRule {
  method: string
  /** Substring of the request path. */
  path: string
}

export interface HeldRequest {
  method: string
  path: string
  body: string
}

export interface HoldingProxy {
  readonly url: string
  kubeconfig(): string
  /** Holds the next request matching the rule until `release()` (or forever, if the client dies). */
  hold(rule: HoldRule): Promise<HeldRequest>
  /** Forwards the held request(s) to the server. */
  release(): void
  close(): Promise<void>
}

export async function startHoldingProxy(targetUrl: string): Promise<HoldingProxy> {
  const target = new URL(targetUrl)
  const rules: {rule: HoldRule; resolve: (r: HeldRequest) => void}[] = []
  let held: (() => void)[] = []

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void => {
    const upstream = http.request(
      {host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers},
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    upstream.end(body)
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const path = new URL(req.url ?? '/', 'http://x').pathname
      const index = rules.findIndex(({rule}) => rule.method === req.method && path.includes(rule.path))
      if (index < 0) return forward(req, res, body)
      const [{resolve}] = rules.splice(index, 1) as [(typeof rules)[number]]
      held.push(() => forward(req, res, body))
      resolve({method: req.method ?? '', path, body: body.toString('utf8')})
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    kubeconfig: () =>
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: proxied',
        'clusters:',
        '- name: proxied',
        '  cluster:',
        `    server: ${url}`,
        '    insecure-skip-tls-verify: true',
        'contexts:',
        '- name: proxied',
        '  context:',
        '    cluster: proxied',
        '    user: proxied-user',
        'users:',
        '- name: proxied-user',
        '  user:',
        '    token: test-token',
        '',
      ].join('\n'),
    hold: (rule) => new Promise((resolve) => rules.push({rule, resolve})),
    release: () => {
      const pending = held
      held = []
      for (const go of pending) go()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
