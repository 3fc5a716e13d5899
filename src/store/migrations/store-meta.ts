import type {Migration} from './index.js'

/** Facts about the store itself, e.g. that `finops demo` made it (so the demo may recreate it, and nothing else). */
export const migration: Migration = {
  id: 'store-meta',
  up: `
CREATE TABLE store_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
}
