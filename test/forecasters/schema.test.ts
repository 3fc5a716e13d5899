import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {forecastJsonSchema} from '../../src/forecasters/schema.js'
import {repoRoot} from '../helpers/cli.js'

// docs/schemas/forecast.schema.json is generated from src/forecasters/schema.ts: UPDATE_SCHEMAS=1 rewrites it.
describe('published JSON Schema of finops forecast --json', () => {
  it('docs/schemas/forecast.schema.json matches the schema the tests validate with', () => {
    const file = path.join(repoRoot, 'docs', 'schemas', 'forecast.schema.json')
    const generated = {$id: 'finops/forecast', title: 'finops forecast --json', ...z.toJSONSchema(forecastJsonSchema)}
    if (process.env.UPDATE_SCHEMAS === '1') fs.writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`)
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(generated)
  })
})
