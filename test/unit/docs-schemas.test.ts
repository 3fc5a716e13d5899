import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, test} from 'vitest'
import {z} from 'zod'

import {commandContracts} from '../../src/output/contracts.js'
import {repoRoot} from '../helpers/cli.js'

const published: Record<string, z.ZodType> = commandContracts

// docs/schemas holds the published JSON Schemas; regenerate with UPDATE_SCHEMAS=1 after changing a schema module.
describe('published JSON Schemas (docs/schemas)', () => {
  test.each(Object.entries(published))(
    'docs/schemas/%s.schema.json matches the schema the tests validate with',
    (id, schema) => {
      const file = path.join(repoRoot, 'docs', 'schemas', `${id}.schema.json`)
      const generated = {$id: `finops/${id}`, title: `finops ${id.replace('-', ' ')} --json`, ...z.toJSONSchema(schema)}
      if (process.env.UPDATE_SCHEMAS === '1') fs.writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`)
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(generated)
    },
  )

  test('every file in docs/schemas has its schema here', () => {
    const files = fs
      .readdirSync(path.join(repoRoot, 'docs', 'schemas'))
      .map((f) => f.replace(/\.schema\.json$/, ''))
      .sort()
    expect(files).toEqual(Object.keys(published).sort())
  })
})
