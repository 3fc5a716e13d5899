import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, test} from 'vitest'
import {z} from 'zod'

import {foundationCommandSchemas} from '../../src/report/schemas.js'
import {repoRoot} from '../helpers/cli.js'

// docs/schemas holds the published JSON Schemas; regenerate with UPDATE_SCHEMAS=1 after changing src/report/schemas.ts.
describe('published JSON Schemas of collect focus, cost report, cost export, demo', () => {
  test.each(Object.entries(foundationCommandSchemas))('docs/schemas/%s.schema.json matches the schema the tests validate with', (id, schema) => {
    const file = path.join(repoRoot, 'docs', 'schemas', `${id}.schema.json`)
    const generated = {$id: `finops/${id}`, title: `finops ${id.replace('-', ' ')} --json`, ...z.toJSONSchema(schema)}
    if (process.env.UPDATE_SCHEMAS === '1') fs.writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`)
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(generated)
  })
})
