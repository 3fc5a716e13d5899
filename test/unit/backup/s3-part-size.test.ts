import {describe, expect, it} from 'vitest'

import {s3PartBytes} from '../../../src/backup/targets/s3.js'

const MIB = 2 ** 20
const GIB = 2 ** 30

describe('s3PartBytes: multipart parts within S3 limits', () => {
  it('keeps 8 MiB parts while 10,000 of them hold the store', () => {
    expect(s3PartBytes(GIB)).toBe(8 * MIB)
    expect(s3PartBytes(10_000 * 8 * MIB)).toBe(8 * MIB)
  })

  it.each([
    ['just past 8 MiB x 10,000', 10_000 * 8 * MIB + 1],
    ['100 GiB', 100 * GIB],
    ['1 TiB', 1024 * GIB],
    ['5 TiB, the largest S3 object', 5 * 1024 * GIB],
  ])('%s: at most 10,000 parts of whole MiB, each 5 MiB to 5 GiB', (_name, size) => {
    const part = s3PartBytes(size)
    expect(Math.ceil(size / part)).toBeLessThanOrEqual(10_000)
    expect(part % MIB).toBe(0)
    expect(part).toBeGreaterThanOrEqual(5 * MIB)
    expect(part).toBeLessThanOrEqual(5 * GIB)
  })
})
