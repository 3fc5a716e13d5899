/**
 * mulberry32, a tiny seeded PRNG: the same seed gives the same stream, so generated demo data,
 * test fixtures and benchmark inputs are reproducible. A string seed is hashed to 32 bits first.
 */
export function seededRandom(seed: number | string): () => number {
  let a: number
  if (typeof seed === 'number') {
    a = seed >>> 0
  } else {
    a = 1779033703
    for (let i = 0; i < seed.length; i++) a = Math.imul(a ^ seed.charCodeAt(i), 3432918353) >>> 0
  }
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
