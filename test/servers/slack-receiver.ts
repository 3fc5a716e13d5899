import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** One scripted answer; the receiver answers 200 "ok" (as Slack does) once the script runs out. */
export interface ScriptedResponse {
  status: number
  body?: string
  headers?: Record<string, string>
}

export interface ReceivedPost {
  path: string
  contentType: string
  body: unknown
  /** What the receiver answered. */
  status: number
  /** Block Kit problems found in the payload (empty when valid). */
  problems: string[]
}

export interface SlackReceiver {
  /** The webhook URL, with a secret-looking path like Slack's. */
  url: string
  /** The secret part of the path, to check it never appears in output. */
  secret: string
  posts: ReceivedPost[]
  /** Posts answered 200 (what a Slack channel would show). */
  delivered: () => ReceivedPost[]
  /** Queues answers for the next posts, in order. */
  script: (...responses: ScriptedResponse[]) => void
  close: () => Promise<void>
}

/**
 * A local stand-in for a Slack incoming webhook on 127.0.0.1. It answers like Slack: 200 "ok",
 * 404 "no_service" for an unknown path, 400 "invalid_payload"/"invalid_blocks" for a payload Slack
 * would refuse (checked against the Block Kit limits), and whatever the test scripts (429 with
 * Retry-After, 5xx). Every post is recorded with the problems found.
 */
export async function startSlackReceiver(): Promise<SlackReceiver> {
  const secret = 'XXXXsecretXXXXtoken1234'
  const path = `/services/T0000TEST/B0000TEST/${secret}`
  const posts: ReceivedPost[] = []
  const queue: ScriptedResponse[] = []
  const server = http.createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (raw += chunk))
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? ''
      let body: unknown
      let problems: string[]
      try {
        body = JSON.parse(raw)
        problems = blockKitProblems(body)
      } catch {
        body = raw
        problems = ['body is not JSON']
      }
      let answer: ScriptedResponse
      if (req.method !== 'POST' || req.url !== path) answer = {status: 404, body: 'no_service'}
      else if (!contentType.startsWith('application/json')) answer = {status: 400, body: 'invalid_payload'}
      else if (problems.length > 0) answer = {status: 400, body: 'invalid_blocks'}
      else answer = queue.shift() ?? {status: 200, body: 'ok'}
      posts.push({path: req.url ?? '', contentType, body, status: answer.status, problems})
      res.writeHead(answer.status, {'Content-Type': 'text/plain', ...answer.headers})
      res.end(answer.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${path}`,
    secret,
    posts,
    delivered: () => posts.filter((p) => p.status === 200),
    script: (...responses) => queue.push(...responses),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function textProblems(where: string, t: unknown, max: number, kinds = ['plain_text', 'mrkdwn']): string[] {
  if (!isObj(t)) return [`${where}: missing text object`]
  const out: string[] = []
  if (!kinds.includes(String(t.type))) out.push(`${where}: type ${String(t.type)} not one of ${kinds.join('/')}`)
  if (typeof t.text !== 'string' || t.text.length === 0) out.push(`${where}: empty text`)
  else if (t.text.length > max) out.push(`${where}: text longer than ${max}`)
  return out
}

/** The Block Kit rules Slack enforces on the blocks we use (header, section, context, divider). */
export function blockKitProblems(payload: unknown): string[] {
  if (!isObj(payload)) return ['payload is not an object']
  const problems: string[] = []
  if (typeof payload.text !== 'string' || payload.text === '') problems.push('no fallback text (notifications show it)')
  if (!Array.isArray(payload.blocks)) return [...problems, 'no blocks']
  if (payload.blocks.length === 0 || payload.blocks.length > 50)
    problems.push(`${payload.blocks.length} blocks (1 to 50 allowed)`)
  payload.blocks.forEach((block: unknown, i) => {
    const where = `blocks[${i}]`
    if (!isObj(block)) return problems.push(`${where}: not an object`)
    switch (block.type) {
      case 'header':
        problems.push(...textProblems(`${where}.text`, block.text, 150, ['plain_text']))
        break
      case 'section': {
        if (block.text === undefined && block.fields === undefined) problems.push(`${where}: needs text or fields`)
        if (block.text !== undefined) problems.push(...textProblems(`${where}.text`, block.text, 3000))
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length > 10) problems.push(`${where}.fields: at most 10`)
          else block.fields.forEach((f: unknown, j) => problems.push(...textProblems(`${where}.fields[${j}]`, f, 2000)))
        }
        break
      }
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10)
          problems.push(`${where}.elements: 1 to 10`)
        else
          block.elements.forEach((e: unknown, j) => problems.push(...textProblems(`${where}.elements[${j}]`, e, 3000)))
        break
      case 'divider':
        break
      default:
        problems.push(`${where}: unexpected block type ${String(block.type)}`)
    }
    return undefined
  })
  return problems
}
