import type {UserInput} from '../../errors.js'

/**
 * The import's user inputs its errors talk about, named in the domain's words; the command edge
 * names them as its flags.
 */

/** Whether rows that cannot be used are counted and left out instead of failing the import. */
export const SKIP_INVALID_INPUT: UserInput = {key: 'skip-invalid', label: 'skipping invalid rows'}

/** Whether a billing period may be replaced by a smaller one. */
export const ALLOW_SHRINK_INPUT: UserInput = {key: 'allow-shrink', label: 'the allowShrink import option'}

/** The memory budget of the whole import. */
export const MEMORY_INPUT: UserInput = {key: 'memory', label: 'the import memory budget'}

/** Where DuckDB spills beyond its budget. */
export const TEMP_DIR_INPUT: UserInput = {key: 'temp-dir', label: 'the import temp directory'}
