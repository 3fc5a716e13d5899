import type {ResultData, ResultKind, ResultOptions} from './result-kinds.js'

/** What a renderer produces: text (a table, CSV, YAML, JSON, markdown) or the bytes of a binary file (PNG). */
export type Rendered = string | Uint8Array

/** Renders one kind of result. Pure: no I/O, no clock; the command writes what it returns. */
export type Renderer<K extends ResultKind> = (data: ResultData<K>, options: ResultOptions<K>) => Rendered

/** A renderer loaded on first use, so start-up pays only for the one format and kind a command prints. */
export type RendererLoader<K extends ResultKind> = () => Promise<Renderer<K>>

/** Loaders by the result kinds a format renders; the compiler checks each against its kind's data. */
export type RendererLoaders = {[K in ResultKind]?: RendererLoader<K>}

/**
 * One entry of the output-format registry (`--output <name>`).
 * `writes`: `text` goes to stdout (or to `--out FILE`); `binary` (an image) needs `--out FILE`.
 */
export interface OutputFormat {
  description: string
  writes: 'text' | 'binary'
  /** Whether this format can render that kind of result. */
  supports(kind: ResultKind): boolean
  /** The renderer for a supported kind. */
  load<K extends ResultKind>(kind: K): Promise<Renderer<K>>
}

/** A format that renders the kinds it lists, each from its own module. */
export function formatByKind(spec: {
  description: string
  writes: OutputFormat['writes']
  renderers: RendererLoaders
}): OutputFormat {
  return {
    description: spec.description,
    writes: spec.writes,
    supports: (kind) => spec.renderers[kind] !== undefined,
    load: async <K extends ResultKind>(kind: K) => {
      const loader = spec.renderers[kind] as RendererLoader<K> | undefined
      if (!loader) throw new Error(`no ${kind} renderer in this format`)
      return loader()
    },
  }
}

/** A format that renders every kind the same way (JSON: the result itself). */
export function formatForEveryKind(spec: {
  description: string
  writes: OutputFormat['writes']
  render: (data: unknown) => Rendered
}): OutputFormat {
  return {
    description: spec.description,
    writes: spec.writes,
    supports: () => true,
    load: async () => spec.render,
  }
}
