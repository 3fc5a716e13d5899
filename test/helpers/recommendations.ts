import type {Recommendation} from '../../src/model/recommendation.js'

/** Recommendations as the recommenders emit them (the shared contract), one builder per kind. */
export function scaleDownRec(
  namespace: string,
  name: string,
  options: {
    replicas?: number
    current?: number
    schedule?: string
    savings?: number
    risk?: 'low' | 'medium' | 'high'
  } = {},
): Recommendation {
  return {
    id: `scale-down/${namespace}/Deployment/${name}`,
    kind: 'scale-down',
    target: {namespace, kind: 'Deployment', name},
    current: {replicas: options.current ?? 3},
    proposed: {replicas: options.replicas ?? 0, ...(options.schedule ? {schedule: options.schedule} : {})},
    monthlySavings: options.savings ?? 100,
    currency: 'USD',
    risk: {level: options.risk ?? 'low', reasons: []},
    evidence: {},
  }
}

export function rightsizeRec(
  namespace: string,
  name: string,
  container: string,
  proposed: {cpuRequest?: number; memoryRequest?: number; cpuLimit?: number; memoryLimit?: number},
  savings = 50,
): Recommendation {
  return {
    id: `rightsize/${namespace}/Deployment/${name}/${container}`,
    kind: 'rightsize',
    target: {namespace, kind: 'Deployment', name, container},
    current: {cpuRequest: 1, memoryRequest: 2 ** 30},
    proposed,
    monthlySavings: savings,
    currency: 'USD',
    risk: {level: 'low', reasons: []},
    evidence: {samples: 10_000, percentiles: {cpuP95: 0.2}},
  }
}

export function spotRec(namespace: string, name: string, savings = 70): Recommendation {
  return {
    id: `spot/${namespace}/Deployment/${name}`,
    kind: 'spot',
    target: {namespace, kind: 'Deployment', name},
    current: {capacityType: 'on-demand'},
    proposed: {capacityType: 'spot'},
    monthlySavings: savings,
    currency: 'USD',
    risk: {level: 'medium', reasons: ['interruptions']},
    evidence: {},
  }
}
