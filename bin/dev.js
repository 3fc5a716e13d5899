#!/usr/bin/env node
// Development entry: runs the TypeScript sources through oclif's dev mode (needs ts-node/tsx);
// `npm run build && bin/run.js` is the supported path.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
