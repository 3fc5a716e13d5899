import type {Db} from '../store/open.js'

/** What a demo step gets: the demo store, a scratch directory for generated files, and "today". */
export interface DemoContext {
  db: Db
  dbPath: string
  workDir: string
  /** The demo's "today" (YYYY-MM-DD); data ends the day before. */
  today: string
  /** Write human output (the demo prints to stdout). */
  print: (text: string) => void
}

/** One section of `finops demo`: it may load data into the store and prints what a user would see. */
export interface DemoStep {
  title: string
  run: (context: DemoContext) => Promise<void> | void
}
