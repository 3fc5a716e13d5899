import {describe, expect, it} from 'vitest'

import {collectAllSchema, SOURCE_KINDS, sourceCollectors} from '../../../src/collectors/registry.js'
import {sourcesSection} from '../../../src/config/sections/sources.js'

const failedOutcome = (kind: string) => ({
  kind,
  name: 'payer',
  ok: false,
  error: {code: 'AUTH', message: 'credentials rejected', exit: 3},
})

describe('collector registry', () => {
  it('lists every billing source once, in registry order', () => {
    expect(SOURCE_KINDS).toEqual(Object.keys(sourceCollectors))
    expect([...SOURCE_KINDS].sort()).toEqual(['athena', 'aws', 'azure', 'focus', 'gcp'])
  })

  it('gives finops.yaml a sources.<kind> list per registered source, validated by that collector', () => {
    for (const kind of SOURCE_KINDS) {
      const parsed = sourcesSection.safeParse({[kind]: 'not an entry'})
      expect(parsed.success, kind).toBe(false)
      expect(parsed.error!.issues[0]!.path[0], kind).toBe(kind)
    }
    expect(sourcesSection.safeParse({oracle: [{path: 'x'}]}).success).toBe(false)
  })

  it('takes one entry or a list of entries for a source', () => {
    const one = sourcesSection.parse({focus: {path: 'exports/'}})
    const many = sourcesSection.parse({focus: [{path: 'a/'}, {path: 'b/'}]})
    expect(one.focus).toEqual([{path: 'exports/'}])
    expect(many.focus?.map((e) => e.path)).toEqual(['a/', 'b/'])
    expect(sourcesSection.parse({}).focus).toBeUndefined()
  })

  it('the collect all contract describes an outcome of every registered source and no other', () => {
    for (const kind of SOURCE_KINDS)
      expect(collectAllSchema.safeParse({sources: [failedOutcome(kind)]}).success, kind).toBe(true)
    expect(collectAllSchema.safeParse({sources: [failedOutcome('oracle')]}).success).toBe(false)
  })
})
