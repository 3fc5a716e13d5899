import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, test} from 'vitest'
import {z} from 'zod'

import {commandSchemas as alertSchemas} from '../../src/alerts/schemas.js'
import {commandSchemas as applySchemas} from '../../src/apply/schemas.js'
import {collectCommandSchemas} from '../../src/collectors/schemas.js'
import {forecastJsonSchema} from '../../forecasters/schema.js'
import {k8sCommandSchemas} from '../../src/k8s/schemas.js'
import {recommendReportSchema} from '../../recommenders/schema.js'
import {foundationCommandSchemas} from '../../src/cost/schemas.js'
import {repoRoot} from '../helpers/cli.js'

/** Every command's --json contract, by schema file id: the zod schemas the e2e tests parse output with. */
const published: Record<string, z.ZodType> = {
  ...foundationCommandSchemas,
  ...collectCommandSchemas,
  ...k8sCommandSchemas,
  ...alertSchemas,
  ...applySchemas,
  forecast: forecastJsonSchema,
  recommend: recommendReportSchema,
}

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
