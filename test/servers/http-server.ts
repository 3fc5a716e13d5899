import http from 'node:http'
import https from 'node:https'
import type {AddressInfo} from 'node:net'

/** One request as the local server saw it, for asserting what the real SDK sent. */
export interface RecordedRequest {
  method: string
  path: string
  url: URL
  headers: http.IncomingHttpHeaders
  body: string
  json?: unknown
}

export interface Reply {
  status: number
  /** Close the connection without answering (a reset mid-request). */
  drop?: boolean
  headers?: Record<string, string>
  body?: unknown
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>

export interface LocalServer {
  url: string
  port: number
  requests: RecordedRequest[]
  close: () => Promise<void>
}

/** Starts an HTTP (or, with a key and cert, HTTPS) server on 127.0.0.1 that records every request. */
export async function startLocalServer(handler: Handler, tls?: {key: string; cert: string}): Promise<LocalServer> {
  const requests: RecordedRequest[] = []
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let json: unknown
      try {
        json = body ? JSON.parse(body) : undefined
      } catch {
        json = undefined
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        url,
        headers: req.headers,
        body,
        json,
      }
      requests.push(recorded)
      Promise.resolve(handler(recorded)).then(
        (reply) => {
          if (reply.drop) {
            req.socket.destroy()
            return
          }
          const text =
            reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
          res.writeHead(reply.status, {'content-type': 'application/json', ...reply.headers})
          res.end(text)
        },
        (error: unknown) => {
          res.writeHead(500, {'content-type': 'application/json'})
          res.end(JSON.stringify({message: String(error)}))
        },
      )
    })
  }
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener)
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * Listens on 127.0.0.1 (a free port) and says how to reach and stop the server; stopping also ends
 * the responses a stand-in holds unanswered (`held`), or close would wait on them.
 */
export async function listenLocal(
  server: http.Server,
  held: readonly http.ServerResponse[] = [],
): Promise<{url: string; close: () => Promise<void>}> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
