import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {repoRoot} from '../../helpers/cli.js'

/**
 * The folder a source file belongs to for the layer picture: `src/<folder>`, `src` for the base
 * files (src/*.ts), and `commands`, `forecasters`, `recommenders` as one unit each (a plug-in
 * family's registry and its entries import each other by design).
 */
function folderOf(file: string): string {
  const parts = file.split('/')
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : 'src'
  return parts[0]!
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(repoRoot, dir), {withFileTypes: true, recursive: true})
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(repoRoot, path.join(e.parentPath, e.name)))
}

// Static and dynamic relative imports that load code; `import type` / `export type` are erased.
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?!type\s)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g

/** Folder-level edges of runtime imports, each with one file that makes it. */
function folderGraph(files: readonly string[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>()
  for (const file of files) {
    const text = fs.readFileSync(path.join(repoRoot, file), 'utf8')
    for (const match of text.matchAll(IMPORT)) {
      const target = path.normalize(path.join(path.dirname(file), match[1] ?? match[2]!))
      const [from, to] = [folderOf(file), folderOf(target)]
      if (from === to) continue
      if (!graph.has(from)) graph.set(from, new Map())
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, file)
    }
  }
  return graph
}

/** Strongly connected groups of more than one folder (Tarjan): each is a folder-level cycle. */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let index = 0
  const stack: string[] = []
  const onStack = new Set<string>()
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const found: string[][] = []
  const visit = (v: string): void => {
    order.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!order.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!))
    }
    if (low.get(v) === order.get(v)) {
      const group: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        group.push(w)
      } while (w !== v)
      if (group.length > 1) found.push(group.sort())
    }
  }
  for (const v of graph.keys()) if (!order.has(v)) visit(v)
  return found
}

describe('folder-level import cycles', () => {
  const files = ['src', 'commands', 'forecasters', 'recommenders'].flatMap(sourceFiles)

  it('finds a cycle when there is one (the check itself)', () => {
    const graph = new Map([
      ['src/a', new Map([['src/b', 'src/a/x.ts']])],
      ['src/b', new Map([['src/a', 'src/b/y.ts']])],
      ['src/c', new Map([['src/a', 'src/c/z.ts']])],
    ])
    expect(cycles(graph)).toEqual([['src/a', 'src/b']])
  })

  it('has none between the folders of src/, commands/ and the plug-in families (runtime imports)', () => {
    expect(files.length).toBeGreaterThan(300)
    const graph = folderGraph(files)
    expect(graph.get('commands')?.has('src/cli')).toBe(true)
    const described = cycles(graph).map((group) =>
      group
        .flatMap((from) =>
          group.filter((to) => graph.get(from)?.has(to)).map((to) => `${from} -> ${to} (${graph.get(from)!.get(to)})`),
        )
        .join('; '),
    )
    expect(described).toEqual([])
  })
})
