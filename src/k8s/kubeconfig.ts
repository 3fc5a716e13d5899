import * as k8s from '@kubernetes/client-node'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {FinopsError, type UserInput, usageError} from '../errors.js'

export interface KubeAccess {
  kc: k8s.KubeConfig
  /** The context used, or 'in-cluster' for a pod's service account. */
  context: string
  /** API server URL, for messages (never credentials). */
  server: string
}

/** The kubeconfig file and context a command may name (`--kubeconfig`, `--context`). */
export const KUBECONFIG_INPUT: UserInput = {key: 'kubeconfig', label: 'kubeconfig path'}
export const CONTEXT_INPUT: UserInput = {key: 'context', label: 'kube context'}

/**
 * Loads cluster access: --kubeconfig PATH, else $KUBECONFIG / ~/.kube/config, else the pod's
 * service account (in-cluster, what the CronJob uses); --context switches context. Errors name
 * what to set. Every command that reaches a cluster (collect, apply, rollback, run) loads it here.
 */
export function loadKubeAccess(options: {kubeconfig?: string; context?: string} = {}): KubeAccess {
  const kc = new k8s.KubeConfig()
  // Without any of these, client-node silently falls back to http://localhost:8080: say so instead.
  const home = process.env.HOME ?? os.homedir()
  if (
    !options.kubeconfig &&
    !process.env.KUBECONFIG &&
    !process.env.KUBERNETES_SERVICE_HOST &&
    !fs.existsSync(path.join(home, '.kube', 'config'))
  ) {
    throw new FinopsError('no Kubernetes cluster configured', {
      code: 'K8S_NO_CLUSTER',
      exit: 'invalidInput',
      suggestion: (n) =>
        `set KUBECONFIG (or the ${n(KUBECONFIG_INPUT)} / kubernetes.kubeconfig), or run inside a cluster`,
    })
  }
  try {
    if (options.kubeconfig) {
      if (!fs.existsSync(options.kubeconfig))
        throw usageError(
          `kubeconfig ${options.kubeconfig} does not exist`,
          (n) => `check the ${n(KUBECONFIG_INPUT)} or kubernetes.kubeconfig in finops.yaml`,
        )
      kc.loadFromFile(options.kubeconfig)
    } else {
      kc.loadFromDefault()
    }
  } catch (error) {
    if (error instanceof FinopsError) throw error
    throw new FinopsError(`cannot load the kubeconfig: ${(error as Error).message.split('\n')[0]}`, {
      code: 'K8S_CONFIG',
      exit: 'invalidInput',
      suggestion: (n) => `fix the file, or point the ${n(KUBECONFIG_INPUT)} / KUBECONFIG at a valid one`,
      cause: error,
    })
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw usageError(
        `kube context "${options.context}" is not in the kubeconfig`,
        `known contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }`,
      )
    }
    kc.setCurrentContext(options.context)
  }
  const cluster = kc.getCurrentCluster()
  if (!cluster) {
    throw new FinopsError('no Kubernetes cluster is configured', {
      code: 'K8S_CONFIG',
      exit: 'invalidInput',
      suggestion: (n) => `give a ${n(KUBECONFIG_INPUT)} / ${n(CONTEXT_INPUT)}, set KUBECONFIG, or run inside a cluster`,
    })
  }
  const context = kc.getCurrentContext()
  return {kc, context: context === 'inClusterContext' || !context ? 'in-cluster' : context, server: cluster.server}
}

/** The name recommendations carry for this cluster: kubernetes.cluster, else the context, else in-cluster. */
export function clusterName(access: KubeAccess, configured?: string): string {
  return configured ?? access.context
}
