import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {parseAmountFlag, parseNumberFlag} from '../../src/cli/numbers.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {parseDay, WINDOW_START} from '../../src/dates.js'
import {COMMITMENT_TYPES, commitmentInput} from '../../src/savings/commitments.js'
import type {SavingsRecordResult} from '../../src/savings/schemas.js'
import {upsertCommitment} from '../../src/store/savings.js'

export default class SavingsRecord extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary =
    'Record a purchased commitment (Savings Plan, reservation, committed-use discount) in the savings ledger'
  static override description =
    'Recording the same commitment id again replaces what was recorded. Its realized saving is measured from the bill (covered usage at on-demand ' +
    'rates minus the commitment fee) once the store holds commitment usage; until then `finops savings` says it is not measurable yet.'

  static override examples = [
    '<%= config.bin %> savings record --commitment arn:aws:savingsplans::123456789012:savingsplan/abcd --provider aws --type savings-plan --hourly ' +
      '12.5 --term 12 --start 2026-11-01 --promised-monthly 2100',
  ]

  static override flags = {
    commitment: Flags.string({description: "the provider's id of the commitment", required: true}),
    provider: Flags.string({description: 'aws, azure, gcp, ...', required: true}),
    // Checked with the other fields (not as flag options), so every mistake reads the same way.
    type: Flags.string({description: `what was bought: ${COMMITMENT_TYPES.join(', ')}`, required: true}),
    hourly: Flags.string({description: 'the hourly commitment, in --currency', required: true}),
    term: Flags.string({description: 'term in months (12 or 36)', required: true}),
    start: Flags.string({description: 'first day it applies (YYYY-MM-DD)', required: true}),
    'promised-monthly': Flags.string({description: 'the monthly saving expected when buying it'}),
    currency: Flags.string({description: 'ISO 4217 currency', default: 'USD'}),
    note: Flags.string({description: 'a free note (who bought it, the recommendation it came from)'}),
    ...outputFlags(['savings-record']),
  }

  async run(): Promise<SavingsRecordResult> {
    const {flags} = await this.parse(SavingsRecord)
    // Everything is checked before the store is opened: a bad flag leaves the store as it was.
    const commitment = commitmentInput({
      id: flags.commitment,
      provider: flags.provider,
      type: flags.type,
      hourlyCommitment: parseAmountFlag(flags.hourly, '--hourly'),
      termMonths: parseNumberFlag(flags.term, '--term', {min: 1, max: 120, example: '12'}),
      startDay: parseDay(flags.start, {...WINDOW_START, key: 'start', label: 'start day'}),
      promisedMonthly:
        flags['promised-monthly'] === undefined
          ? null
          : parseNumberFlag(flags['promised-monthly'], '--promised-monthly', {
              min: -1e12,
              max: 1e12,
              example: '2100',
            }),
      currency: flags.currency,
      note: flags.note ?? '',
    })
    const db = this.openStore(flags.db, flags.config)
    const created = upsertCommitment(db, {...commitment, recordedAt: new Date().toISOString()})
    const {recordedAt: _recordedAt, note, ...shown} = {...commitment, recordedAt: ''}
    const result: SavingsRecordResult = {created, commitment: {...shown, note}}
    await this.present('savings-record', result)
    return result
  }
}
