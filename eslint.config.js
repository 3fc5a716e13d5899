import js from '@eslint/js'
import stylistic from '@stylistic/eslint-plugin'
import boundaries from 'eslint-plugin-boundaries'
import tseslint from 'typescript-eslint'

/**
 * The layers, top to bottom. A file may import its own layer and the layers its entry allows;
 * nothing below imports upward. src/*.ts (errors, exit codes, dates) and `model` (the plain shared
 * contracts) are the base every layer may use; they use nothing above (checked below).
 */
const LAYERS = [
  {type: 'commands', pattern: 'commands', allow: ['cli', 'orchestration', 'output', 'domain', 'plugin', 'store']},
  {type: 'cli', pattern: 'src/cli', allow: ['output', 'domain', 'store']},
  {type: 'orchestration', pattern: 'src/{run,demo}', allow: ['output', 'domain', 'plugin', 'store']},
  {type: 'output', pattern: 'src/output', allow: ['domain', 'plugin']},
  {
    type: 'domain',
    pattern: 'src/{collectors,cost,k8s,recommend,apply,alerts,config,report,backup,commitments,savings}',
    allow: ['plugin', 'store'],
  },
  {type: 'plugin', pattern: '{forecasters,recommenders}', allow: ['domain']},
  {type: 'store', pattern: 'src/store', allow: []},
  {type: 'model', pattern: 'src/model', allow: []},
]

/**
 * Files that still break a layer rule because their owner has not moved them yet. Each entry says
 * what it waits for; remove it with the move, never add one for new code.
 */
const LAYER_ALLOWLIST = []

/** Files that still speak SQL outside src/store/: their owners move the queries into repositories. */
const SQL_ALLOWLIST = []

/** SQL for other engines, not our store: DuckDB reading FOCUS files, BigQuery over the GCP export. */
const OTHER_ENGINES_SQL = [
  'src/collectors/focus/focus-query.ts',
  'src/collectors/focus/resource-query.ts',
  'src/collectors/gcp/export-query.ts',
]

const SQL_TEXT =
  '/^\\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|BEGIN|SAVEPOINT|RELEASE|COMMIT|ROLLBACK|CREATE|DROP|ALTER|PRAGMA|WITH)\\s/'
const SQL_RULES = [
  {selector: `Literal[value=${SQL_TEXT}]`, message: 'SQL lives in src/store/: add a typed repository method there.'},
  {
    selector: `TemplateLiteral > TemplateElement:first-child[value.raw=${SQL_TEXT}]`,
    message: 'SQL lives in src/store/: add a typed repository method there.',
  },
  {
    selector: 'CallExpression[callee.property.name=/^(prepare|pragma|transaction)$/][arguments.length<=1]',
    message: 'Statements and transactions live in src/store/: add a typed repository method there.',
  },
]
const SOURCES = ['src/**/*.ts', 'commands/**/*.ts', 'forecasters/**/*.ts', 'recommenders/**/*.ts']

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'bench/out/**', 'bench/.work/**', 'coverage/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    plugins: {'@stylistic': stylistic},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      // Prettier wraps code at 120 but never breaks a string or a comment: this catches those. URLs
      // and regular expressions cannot be split without harm.
      '@stylistic/max-len': ['error', {code: 160, tabWidth: 2, ignoreUrls: true, ignoreRegExpLiterals: true}],
    },
  },
  {
    files: SOURCES,
    ignores: LAYER_ALLOWLIST,
    plugins: {boundaries},
    settings: {
      'boundaries/elements': LAYERS.map(({type, pattern}) => ({type, pattern})),
      'boundaries/include': SOURCES,
      'import/resolver': {typescript: {project: './tsconfig.json'}},
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...LAYERS.map(({type, allow}) => ({
              from: {element: {type}},
              allow: {to: {element: {types: {anyOf: [type, ...allow, 'model']}}}},
            })),
            // The shared contracts name their kinds after the plug-in registries' keys: types only, nothing is loaded.
            {from: {element: {type: 'model'}}, allow: {to: {element: {type: 'plugin'}}, dependency: {kind: 'type'}}},
          ],
        },
      ],
    },
  },
  {
    // A new folder must be placed in LAYERS, or no layer rule would check it (src/*.ts is the base, checked below).
    files: SOURCES,
    ignores: ['src/*.ts'],
    rules: {'boundaries/no-unknown-files': 'error'},
  },
  {
    // Only the store speaks SQL or opens the database.
    files: SOURCES,
    ignores: ['src/store/**', ...SQL_ALLOWLIST, ...OTHER_ENGINES_SQL],
    rules: {'no-restricted-syntax': ['error', ...SQL_RULES]},
  },
  {
    files: SOURCES,
    ignores: ['src/store/**', 'forecasters/**', 'recommenders/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {paths: [{name: 'better-sqlite3', message: 'Only src/store/ opens the database.'}]},
      ],
    },
  },
  {
    // The base (errors, exit codes, dates...) imports only itself and the model.
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{name: 'better-sqlite3', message: 'Only src/store/ opens the database.'}],
          patterns: [
            {regex: '^\\.\\./', message: 'src/*.ts is the base layer: it imports nothing above it.'},
            {regex: '^\\./(?!model/)[^/]+/', message: 'src/*.ts is the base layer: only ./model/ is below it.'},
          ],
        },
      ],
    },
  },
  {
    // Plug-ins are pure: data and settings in, results out; no store, files, processes or network.
    files: ['forecasters/**/*.ts', 'recommenders/**/*.ts'],
    ignores: LAYER_ALLOWLIST,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'better-sqlite3',
            'node:fs',
            'node:fs/promises',
            'node:child_process',
            'node:net',
            'node:http',
            'node:https',
          ].map((name) => ({
            name,
            message: 'Plug-ins are pure: their caller in src/ does the I/O.',
          })),
        },
      ],
    },
  },
)
