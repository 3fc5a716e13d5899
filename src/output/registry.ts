import type {OutputFormat} from './output-format.js'
import {csvFormat} from './formats/csv.js'
import {jsonFormat} from './formats/json.js'
import {markdownFormat} from './formats/markdown.js'
import {pngFormat} from './formats/png.js'
import {svgFormat} from './formats/svg.js'
import {tableFormat} from './formats/table.js'
import {yamlFormat} from './formats/yaml.js'
import type {ResultKind} from './result-kinds.js'

/**
 * The output formats, by their `--output` name. A new format is one module under formats/ (its
 * renderers, each loaded on use) and one line here; every command whose result kinds it renders
 * offers it. Renderers live beside the others of their kind or in the format's own folder.
 */
export const outputFormats = {
  table: tableFormat,
  json: jsonFormat,
  csv: csvFormat,
  yaml: yamlFormat,
  markdown: markdownFormat,
  svg: svgFormat,
  png: pngFormat,
} as const satisfies Record<string, OutputFormat>

export type OutputFormatName = keyof typeof outputFormats

export const OUTPUT_FORMAT_NAMES = Object.keys(outputFormats) as OutputFormatName[]

/** The formats that render at least one of these result kinds, in registry order. */
export const formatsFor = (kinds: readonly ResultKind[]): OutputFormatName[] =>
  OUTPUT_FORMAT_NAMES.filter((name) => kinds.some((kind) => outputFormats[name].supports(kind)))
