import {spawnSync} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../helpers/cli.js'

/**
 * Shell completion (@oclif/plugin-autocomplete) as users set it up: the built CLI writes its
 * completion files into the cache directory, `autocomplete script bash` prints the line for
 * ~/.bashrc, and a real bash that sources it completes our commands and flags.
 */
describe('finops autocomplete (built CLI, real bash)', () => {
  let cache: ReturnType<typeof tempDir>
  let env: Record<string, string>

  beforeAll(() => {
    cache = tempDir()
    env = {XDG_CACHE_HOME: cache.dir, HOME: cache.dir}
  })
  afterAll(() => cache.cleanup())

  /** What bash offers for the words typed so far (the last one being completed). */
  function complete(setupLine: string, words: string[]): string[] {
    const script = [
      setupLine,
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      `COMP_LINE='${words.join(' ')}'`,
      'COMP_POINT=${#COMP_LINE}',
      '_finops_autocomplete',
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join('\n')
    const bash = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
      encoding: 'utf8',
      env: {PATH: process.env.PATH},
    })
    expect(bash.status, bash.stderr).toBe(0)
    return bash.stdout.split('\n').filter(Boolean)
  }

  it('prints setup instructions and a script bash can source that completes commands and flags', async () => {
    const instructions = await runCli(['autocomplete', 'bash'], {env})
    expect(instructions.code, instructions.stderr).toBe(0)
    expect(instructions.stdout).toContain('finops autocomplete script bash')

    const script = await runCli(['autocomplete', 'script', 'bash'], {env})
    expect(script.code, script.stderr).toBe(0)
    const setupLine = script.stdout.trim()
    expect(setupLine).toContain(cache.dir)

    expect(complete(setupLine, ['finops', 'cost', 'r'])).toEqual(['report'])
    expect(complete(setupLine, ['finops', 'forecast', '--ho'])).toEqual(['--horizon'])
    expect(complete(setupLine, ['finops', 'budget', 's'])).toEqual(expect.arrayContaining(['set', 'status']))
  })

  it('writes zsh completion too', async () => {
    const zsh = await runCli(['autocomplete', 'script', 'zsh'], {env})
    expect(zsh.code, zsh.stderr).toBe(0)
    expect(zsh.stdout).toMatch(/FINOPS_AC_ZSH_SETUP_PATH=.*zsh_setup/)
  })
})
