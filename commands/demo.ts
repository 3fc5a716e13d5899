import {Flags} from '@oclif/core'
import path from 'node:path'

import {FinopsCommand} from '../src/cli/base-command.js'
import {type DemoResult, runDemo} from '../src/demo/run-demo.js'
import {dataDir} from '../src/store/paths.js'

export default class Demo extends FinopsCommand {
  static override summary = 'Run finops end to end on bundled sample data (no cloud account, no cluster needed)'
  static override description = `Generates six months of a realistic three-cloud FOCUS bill (and a sample cluster), imports it
into a fresh demo store and shows what each part of finops does with it. Nothing outside --dir is touched. FINOPS_NOW (an ISO date or time) pins \
today (the sample data ends yesterday).`

  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --dir /tmp/finops-demo']

  static override flags = {
    dir: Flags.string({description: 'where the demo writes its files and store (default: ~/.local/share/finops/demo)'}),
  }

  async run(): Promise<DemoResult> {
    const {flags} = await this.parse(Demo)
    const json = this.jsonEnabled()
    return runDemo({
      dir: flags.dir ?? path.join(dataDir(), 'demo'),
      dbPath: flags.db,
      print: (text) => (json ? undefined : this.log(text)),
    })
  }
}
