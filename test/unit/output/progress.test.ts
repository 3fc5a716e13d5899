import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'

import {countingBar, countRequests, progressDisplay, showsProgress} from '../../../src/output/progress.js'

/** A stream that says it is a terminal, and keeps what was drawn on it. */
function fakeTerminal(isTTY: boolean): {stream: NodeJS.WriteStream; screen: () => string} {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough
  let text = ''
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  Object.assign(stream, {isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true})
  return {stream, screen: () => text}
}

describe('the progress display', () => {
  it('shows only on a terminal, and never for --json', () => {
    expect(showsProgress(fakeTerminal(true).stream, false)).toBe(true)
    expect(showsProgress(fakeTerminal(true).stream, true)).toBe(false)
    expect(showsProgress(fakeTerminal(false).stream, false)).toBe(false)
  })

  it('draws nothing at all when stderr is piped (a CI log) or the command writes JSON', () => {
    for (const [tty, json] of [
      [false, false],
      [true, true],
    ] as const) {
      const {stream, screen} = fakeTerminal(tty)
      const display = progressDisplay(stream, json, 'requests')
      display.update(3, 10, 'pods')
      display.update(10, 10, 'nodes')
      display.stop()
      display.stop()
      expect(screen()).toBe('')
    }
  })

  it('draws a bar with done/total once the total is known, and a running count before', () => {
    const {stream, screen} = fakeTerminal(true)
    const bar = countingBar(stream, 'resource kinds')
    bar.update(3, 13, 'pods (1,204)')
    bar.stop()
    expect(screen()).toMatch(/pods \(1,204\) \[[█░]+\] 3\/13 resource kinds/)

    const counter = fakeTerminal(true)
    const requests = countingBar(counter.stream, 'requests')
    const listener = countRequests(requests, 'Cost Explorer')
    listener({requests: 1, retries: 0})
    listener({requests: 1234, retries: 2})
    requests.stop()
    expect(counter.screen()).toMatch(/Cost Explorer 1 requests/)
    expect(counter.screen()).toMatch(/Cost Explorer \(2 retried\) 1,234 requests/)
    expect(counter.screen()).not.toMatch(/[█░]/)
  })
})
