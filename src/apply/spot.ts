import type {SpotProvider} from '../config/sections/apply.js'
import type {Toleration} from '../model/action.js'

/**
 * How each provider's spot capacity is selected: the node label its spot nodes carry and the taint
 * (if any) its spot pools are created with, so pods both land there and are allowed to.
 */
export const SPOT_PLACEMENT: Record<SpotProvider, {nodeSelector: Record<string, string>; tolerations: Toleration[]}> = {
  // EKS managed node groups label capacity type; spot groups are usually untainted.
  aws: {nodeSelector: {'eks.amazonaws.com/capacityType': 'SPOT'}, tolerations: []},
  karpenter: {nodeSelector: {'karpenter.sh/capacity-type': 'spot'}, tolerations: []},
  // GKE taints Spot node pools only when asked; tolerating the taint is harmless when absent.
  gcp: {
    nodeSelector: {'cloud.google.com/gke-spot': 'true'},
    tolerations: [{key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule'}],
  },
  // AKS always taints spot pools.
  azure: {
    nodeSelector: {'kubernetes.azure.com/scalesetpriority': 'spot'},
    tolerations: [
      {key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule'},
    ],
  },
}
