/**
 * A throwaway PKI for TLS tests, made with Debian's `openssl` (no key material is committed): a
 * server CA and a server certificate for 127.0.0.1/localhost, and a separate client CA with one
 * client certificate. Under CI=true a missing openssl is an error, so the tests fail loudly.
 */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export interface TestPki {
  dir: string
  serverCa: string
  serverKey: string
  serverCert: string
  clientCa: string
  clientKey: string
  clientCert: string
}

export const OPENSSL_BIN = process.env.FINOPS_OPENSSL_BIN ?? '/usr/bin/openssl'

export function opensslAvailable(): boolean {
  const ok = fs.existsSync(OPENSSL_BIN)
  if (!ok && process.env.CI === 'true')
    throw new Error(`openssl not found at ${OPENSSL_BIN}: apt-get install -y openssl`)
  return ok
}

const openssl = (args: string[], cwd: string): void => {
  execFileSync(OPENSSL_BIN, args, {cwd, stdio: ['ignore', 'ignore', 'pipe']})
}

/** Writes the PKI into `dir` and returns the file paths. */
export function makeTestPki(dir: string): TestPki {
  fs.mkdirSync(dir, {recursive: true})
  const ca = (name: string) => {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
      ],
      dir,
    )
  }
  const leaf = (name: string, issuer: string, extensions: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), extensions)
    openssl(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`],
      dir,
    )
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${issuer}.crt`,
        '-CAkey',
        `${issuer}.key`,
        '-CAcreateserial',
        '-days',
        '2',
        '-out',
        `${name}.crt`,
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    )
  }
  ca('server-ca')
  ca('client-ca')
  leaf('server', 'server-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  leaf('client', 'client-ca', 'extendedKeyUsage=clientAuth\n')
  const file = (name: string) => path.join(dir, name)
  return {
    dir,
    serverCa: file('server-ca.crt'),
    serverKey: file('server.key'),
    serverCert: file('server.crt'),
    clientCa: file('client-ca.crt'),
    clientKey: file('client.key'),
    clientCert: file('client.crt'),
  }
}
