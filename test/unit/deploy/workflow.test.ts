import fs from 'node:fs'
import path from 'node:path'
import {parse as parseYaml} from 'yaml'
import {describe, expect, it} from 'vitest'

import {repoRoot} from '../../helpers/cli.js'

interface Step {
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  if?: string
}
interface Job {
  needs?: string | string[]
  if?: string
  steps: Step[]
}

const workflow = parseYaml(fs.readFileSync(path.join(repoRoot, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
  on: {push: {tags: string[]}}
  jobs: Record<string, Job>
}
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>
}
const runs = (job: Job): string[] => job.steps.flatMap((s) => (s.run ? [s.run] : []))

describe('.github/workflows/ci.yml', () => {
  it('lints, typechecks, builds, tests with CI=true and fails on critical audit findings, using scripts that exist', () => {
    const test = workflow.jobs.test!
    const commands = runs(test)
    for (const script of ['lint', 'typecheck', 'build']) {
      expect(commands).toContain(`npm run ${script}`)
      expect(pkg.scripts[script], script).toBeDefined()
    }
    expect(commands).toContain('npm ci')
    expect(test.steps.find((s) => s.run === 'npx vitest run')).toMatchObject({env: {CI: 'true'}})
    expect(commands).toContain('npm audit --audit-level=critical')
    // The real servers the tests need under CI=true (a missing binary fails the test).
    expect(commands.join('\n')).toMatch(/apt-get install .*prometheus .*prometheus-pushgateway/)
  })

  it('builds the image from deploy/Dockerfile after the tests and scans it with Trivy', () => {
    const image = workflow.jobs.image!
    expect(image.needs).toBe('test')
    const build = image.steps.find((s) => s.uses?.startsWith('docker/build-push-action'))!
    expect(build.with).toMatchObject({file: 'deploy/Dockerfile', load: true})
    expect(fs.existsSync(path.join(repoRoot, String(build.with!.file)))).toBe(true)
    const scan = image.steps.find((s) => s.uses?.startsWith('aquasecurity/trivy-action'))!
    expect(scan.with).toMatchObject({'image-ref': build.with!.tags, 'exit-code': '1'})
  })

  it('publishes only on version tags, after the tests and the scan passed', () => {
    expect(workflow.on.push.tags).toEqual(['v*'])
    const publish = workflow.jobs.publish!
    expect(publish.if).toBe("startsWith(github.ref, 'refs/tags/v')")
    expect(publish.needs).toEqual(['test', 'image'])
    expect(publish.steps.find((s) => s.uses?.startsWith('docker/build-push-action'))!.with).toMatchObject({
      push: true,
      file: 'deploy/Dockerfile',
    })
  })
})
