#!/usr/bin/env node
// The AWS SDK warns about Node 20 on every call; users should not see it on each command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
