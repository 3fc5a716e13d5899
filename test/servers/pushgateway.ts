import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'

const BINARY = '/usr/bin/prometheus-pushgateway'

export interface Pushgateway {
  url: string
  /** The exposition the Pushgateway serves, i.e. what Prometheus would scrape. */
  scrape(): Promise<string>
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Starts Debian's prometheus-pushgateway on a free loopback port, without persistence. */
export async function startPushgateway(): Promise<Pushgateway> {
  if (!fs.existsSync(BINARY))
    throw new Error(
      `${BINARY} is missing: run npm test as root (it installs it), or apt-get install -y prometheus-pushgateway`,
    )
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn(BINARY, [`--web.listen-address=127.0.0.1:${port}`], {stdio: 'ignore'})
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`prometheus-pushgateway exited with ${child.exitCode}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url,
    scrape: async () => (await fetch(`${url}/metrics`)).text(),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.on('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
