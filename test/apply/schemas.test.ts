import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, test} from 'vitest'
import {z} from 'zod'

import {commandSchemas} from '../../src/apply/schemas.js'
import {repoRoot} from '../helpers/cli.js'

// docs/schemas holds the published JSON Schemas; regenerate with UPDATE_SCHEMAS=1 after changing src/apply/schemas.ts.
describe('published JSON Schemas of apply, rollback and actions list', () => {
  test.each(Object.entries(commandSchemas))('docs/schemas/%s.schema.json matches the schema the CLI tests validate with', (id, schema) => {
    const file = path.join(repoRoot, 'docs', 'schemas', `${id}.schema.json`)
    const generated = {$id: `finops/${id}`, title: `finops ${id.replace('-', ' ')} --json`, ...z.toJSONSchema(schema)}
    if (process.env.UPDATE_SCHEMAS === '1') fs.writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`)
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(generated)
  })
})
