import * as k8s from '@kubernetes/client-node'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {FinopsError} from '../errors.js'
import {CONTEXT_INPUT} from '../k8s/kubeconfig.js'

/**
 * The cluster to act on: KUBECONFIG / ~/.kube/config, or the pod's service account in-cluster
 * (what the CronJob uses), optionally switched to a named context.
 */
export function loadKubeConfig(options: {kubeconfig?: string; context?: string} = {}): k8s.KubeConfig {
  const {context} = options
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
      suggestion: 'set KUBECONFIG or kubernetes.kubeconfig, or run inside a cluster',
    })
  }
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig)
    else kc.loadFromDefault()
  } catch (error) {
    throw new FinopsError(`cannot load the kubeconfig: ${(error as Error).message}`, {
      code: 'K8S_CONFIG',
      exit: 'invalidInput',
      suggestion: 'set KUBECONFIG or run inside a cluster',
      cause: error,
    })
  }
  if (context) {
    if (!kc.getContextObject(context))
      throw new FinopsError(`kube context ${context} is not in the kubeconfig`, {
        code: 'K8S_CONFIG',
        exit: 'usage',
        suggestion: `known contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }`,
      })
    kc.setCurrentContext(context)
  }
  if (!kc.getCurrentCluster()) {
    throw new FinopsError('no Kubernetes cluster configured', {
      code: 'K8S_CONFIG',
      exit: 'invalidInput',
      suggestion: (n) => `set KUBECONFIG (or the ${n(CONTEXT_INPUT)}), or run inside a cluster`,
    })
  }
  return kc
}

/** The name recommendations carry for this cluster: kubernetes.cluster, else the context, else in-cluster. */
export function clusterName(kc: k8s.KubeConfig, configured?: string): string {
  const context = kc.getCurrentContext()
  return configured ?? (!context || context === 'inClusterContext' ? 'in-cluster' : context)
}
