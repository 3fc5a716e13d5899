import fs from 'node:fs'
import path from 'node:path'

import {fixturesDir} from '../helpers/cli.js'
import {type KubeApiOptions, type KubeApiServer, type KubeObject, startKubeApi} from './kube-api.js'

/** The bundled cluster snapshot (fixtures/k8s/cluster.json): API objects plus one metrics-server scrape. */
export interface ClusterFixture {
  cluster: string
  objects: KubeObject[]
  podMetrics: KubeObject[]
}

export function loadClusterFixture(): ClusterFixture {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, 'k8s', 'cluster.json'), 'utf8')) as ClusterFixture
}

/** A kube-api test server pre-loaded with the fixture cluster (PodMetrics included). */
export async function startFixtureKubeApi(
  options: Omit<KubeApiOptions, 'objects'> = {},
): Promise<{server: KubeApiServer; fixture: ClusterFixture}> {
  const fixture = loadClusterFixture()
  const server = await startKubeApi({...options, objects: [...fixture.objects, ...fixture.podMetrics]})
  return {server, fixture}
}
