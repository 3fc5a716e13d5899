/**
 * Receives one series of a range answer: its labels, then returns where its points go (undefined
 * skips the series). Points arrive as numbers, converted exactly as `Number()` converts the strings
 * Prometheus sends ("NaN", "+Inf" become NaN, as they would through JSON.parse).
 */
export type SeriesSink = (metric: Record<string, string>) => ((t: number, v: number) => void) | undefined

const QUOTE = 34
const BACKSLASH = 92
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9
// , : ] } and whitespace end a number or a literal.
const isDelimiter = (c: number) => c === 44 || c === 58 || c === 93 || c === 125 || isSpace(c)

class Cursor {
  i = 0
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`unexpected Prometheus answer at ${this.i}: expected ${what}`)
  }
  skipSpace(): number {
    const t = this.text
    while (isSpace(t.charCodeAt(this.i))) this.i++
    return t.charCodeAt(this.i)
  }
  expect(char: string): void {
    if (this.skipSpace() !== char.charCodeAt(0)) this.fail(char)
    this.i++
  }
  /** Consumes `char` when it comes next (after spaces). */
  accept(char: string): boolean {
    if (this.skipSpace() !== char.charCodeAt(0)) return false
    this.i++
    return true
  }
  /** The end (exclusive) of the string starting at `from` (its opening quote). */
  stringEnd(from: number): number {
    const t = this.text
    for (let j = from + 1; j < t.length; j++) {
      const c = t.charCodeAt(j)
      if (c === BACKSLASH) j++
      else if (c === QUOTE) return j + 1
    }
    return this.fail('the end of a string')
  }
  /** A key: plain keys (no escapes) are sliced, others decoded by JSON.parse. */
  key(): string {
    if (this.skipSpace() !== QUOTE) this.fail('a key')
    const end = this.stringEnd(this.i)
    const raw = this.text.slice(this.i + 1, end - 1)
    const key = raw.includes('\\') ? (JSON.parse(this.text.slice(this.i, end)) as string) : raw
    this.i = end
    this.expect(':')
    return key
  }
  /** Skips any JSON value; returns where it started. */
  skipValue(): number {
    this.skipSpace()
    const start = this.i
    const t = this.text
    let depth = 0
    do {
      const c = this.skipSpace()
      if (c === QUOTE) this.i = this.stringEnd(this.i)
      else if (c === 123 || c === 91) {
        depth++
        this.i++
      } else if (c === 125 || c === 93) {
        depth--
        this.i++
      } else if (c === 44 || c === 58) this.i++
      else {
        // A number or a literal: up to the next delimiter.
        while (this.i < t.length && !isDelimiter(t.charCodeAt(this.i))) this.i++
      }
      if (this.i >= t.length && depth > 0) this.fail('the end of a value')
    } while (depth > 0)
    return start
  }
  /** Calls `each` for every key of the object at the cursor. */
  object(each: (key: string) => void): void {
    this.expect('{')
    if (this.accept('}')) return
    do each(this.key())
    while (this.accept(','))
    this.expect('}')
  }
  array(each: () => void): void {
    this.expect('[')
    if (this.accept(']')) return
    do each()
    while (this.accept(','))
    this.expect(']')
  }
  /**
   * A run of 1 to 15 decimal digits at `from` ending at a delimiter or a quote: moves past it and
   * returns its value, else returns -1 and does not move. Up to 15 digits the value is an exact
   * double, so this is what Number() gives, without a string per token.
   */
  whole(from: number): number {
    const t = this.text
    let n = 0
    let i = from
    let c = t.charCodeAt(i)
    while (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48)
      c = t.charCodeAt(++i)
    }
    if (i === from || i - from > 15 || !(c === QUOTE || isDelimiter(c))) return -1
    this.i = i
    return n
  }
  /** A number token (a sample's timestamp). */
  number(): number {
    this.skipSpace()
    const t = this.text
    const start = this.i
    // Timestamps are whole seconds at any step of a second or more: read their digits directly.
    const whole = this.whole(start)
    if (whole >= 0) return whole
    while (this.i < t.length && !isDelimiter(t.charCodeAt(this.i))) this.i++
    const n = Number(t.slice(start, this.i))
    if (Number.isNaN(n)) this.fail('a timestamp')
    return n
  }
  /** A string token holding a sample value, as Number() reads it. */
  sampleValue(): number {
    if (this.skipSpace() !== QUOTE) this.fail('a sample value')
    // Memory in bytes and counts are whole numbers; anything else goes through Number().
    const open = this.i
    const whole = this.whole(open + 1)
    if (whole >= 0 && this.text.charCodeAt(this.i) === QUOTE) {
      this.i++
      return whole
    }
    this.i = open
    const end = this.stringEnd(this.i)
    const v = Number(this.text.slice(this.i + 1, end - 1))
    this.i = end
    return v
  }
}

/** A series' `values` array, `[[t, "v"], ...]`, each point handed to the sink as it is read. */
function readPoints(c: Cursor, point: ((t: number, v: number) => void) | undefined): void {
  c.array(() => {
    c.expect('[')
    const t = c.number()
    c.expect(',')
    const v = c.sampleValue()
    c.expect(']')
    point?.(t, v)
  })
}

/**
 * Reads a range-query answer (`{"status":"success","data":{"resultType":"matrix","result":[...]}}`)
 * and hands each point to its series' sink as it is read: no object per sample is made, which is
 * most of the time and garbage JSON.parse spends on an answer of a few hundred thousand points.
 * Whitespace, unknown keys (warnings, native histograms) and escaped label values are handled.
 * Returns the number of series.
 */
export function scanMatrix(text: string, sink: SeriesSink): number {
  const c = new Cursor(text)
  let series = 0
  c.object((top) => {
    if (top !== 'data') return void c.skipValue()
    c.object((key) => {
      if (key !== 'result') return void c.skipValue()
      c.array(() => {
        let point: ((t: number, v: number) => void) | undefined
        let metric: Record<string, string> | undefined
        let pending: number | undefined
        c.object((field) => {
          if (field === 'metric') {
            const start = c.skipValue()
            metric = JSON.parse(text.slice(start, c.i)) as Record<string, string>
            point = sink(metric)
          } else if (field === 'values') {
            // Prometheus writes the labels first; if an engine does not, read the points after them.
            if (!metric) pending = c.skipValue()
            else readPoints(c, point)
          } else c.skipValue()
        })
        if (pending !== undefined && metric) {
          const after = c.i
          c.i = pending
          readPoints(c, point)
          c.i = after
        }
        series++
      })
    })
  })
  return series
}
