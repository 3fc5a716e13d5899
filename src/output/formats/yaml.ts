import {formatByKind} from '../output-format.js'

/** Kubernetes manifests as a multi-document YAML stream (kubectl apply -f -). */
export const yamlFormat = formatByKind({
  description: 'YAML documents (Kubernetes manifests)',
  writes: 'text',
  renderers: {
    'cronjob-manifest': async () => {
      const {stringify} = await import('yaml')
      return ({manifests}) => manifests.map((m) => stringify(m, {lineWidth: 0})).join('---\n')
    },
  },
})
