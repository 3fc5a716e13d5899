import type * as k8s from '@kubernetes/client-node'
import fs from 'node:fs'
import os from 'node:os'
import crypto from 'node:crypto'

import {now} from '../dates.js'

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token'

/**
 * Who is making the change, for the audit trail: FINOPS_IDENTITY if set, in a pod the service
 * account (the token's `sub` claim, never the token), else local-user@kube-context.
 */
export function resolveIdentity(
  kubeConfig: k8s.KubeConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
  tokenFile = SA_TOKEN,
): string {
  if (env.FINOPS_IDENTITY) return env.FINOPS_IDENTITY
  if (env.KUBERNETES_SERVICE_HOST && fs.existsSync(tokenFile)) {
    try {
      const payload = fs.readFileSync(tokenFile, 'utf8').split('.')[1] ?? ''
      const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {sub?: string}).sub
      if (sub) return sub
    } catch {
      // An unreadable token still runs; the identity just falls back below.
    }
  }
  let user: string
  try {
    user = os.userInfo().username
  } catch {
    // No passwd entry (arbitrary uid in a container).
    user = env.USER ?? `uid-${process.getuid?.() ?? '?'}`
  }
  const context = kubeConfig?.getCurrentContext()
  return context ? `${user}@${context}` : user
}

/** run-20240901T101500Z-1a2b3c: sortable by time, unique across concurrent processes. */
export function newRunId(now = new Date()): string {
  return `run-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${crypto.randomBytes(3).toString('hex')}`
}

export const newActionId = (): string => `act-${crypto.randomBytes(6).toString('hex')}`

/** The journal's timestamps: now, or FINOPS_NOW when pinned (so a pinned run is reproducible end to end). */
export const stamp = (): string => now().toISOString()
