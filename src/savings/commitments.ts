import {usageError} from '../errors.js'
import type {CommitmentType, PurchasedCommitment} from '../store/savings.js'

/** What can be recorded as purchased: the three families the clouds sell. */
export const COMMITMENT_TYPES = [
  'savings-plan',
  'reservation',
  'committed-use',
] as const satisfies readonly CommitmentType[]

const CURRENCY = /^[A-Z]{3}$/
const PROVIDER = /^[a-z][a-z0-9-]{0,31}$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** Checks a commitment to record; one clear line for the first thing wrong. */
export function commitmentInput(
  c: Omit<PurchasedCommitment, 'recordedAt' | 'type'> & {type: string},
): Omit<PurchasedCommitment, 'recordedAt'> {
  const id = c.id.trim()
  if (id === '' || id.length > 512 || CONTROL.test(id))
    throw usageError(
      `commitment id ${JSON.stringify(c.id.slice(0, 80))} is not an id: expected 1 to 512 printable characters`,
      'give the Savings Plan ARN, reservation id or commitment name as the provider shows it',
    )
  const provider = c.provider.trim().toLowerCase()
  if (!PROVIDER.test(provider))
    throw usageError(
      `provider ${JSON.stringify(c.provider.slice(0, 40))} is not a provider name`,
      'for example aws, azure or gcp',
    )
  if (!(COMMITMENT_TYPES as readonly string[]).includes(c.type))
    throw usageError(`commitment type ${c.type} is unknown`, `one of ${COMMITMENT_TYPES.join(', ')}`)
  if (!Number.isInteger(c.termMonths))
    throw usageError(`term ${c.termMonths} is not a whole number of months`, 'for example 12 or 36')
  const currency = c.currency.trim().toUpperCase()
  if (!CURRENCY.test(currency))
    throw usageError(`currency ${JSON.stringify(c.currency)} is not an ISO 4217 code`, 'for example USD or EUR')
  if (c.note.length > 1000 || CONTROL.test(c.note))
    throw usageError('the note must be one line of at most 1000 characters')
  return {
    id,
    provider,
    type: c.type as CommitmentType,
    hourlyCommitment: c.hourlyCommitment,
    termMonths: c.termMonths,
    startDay: c.startDay,
    promisedMonthly: c.promisedMonthly,
    currency,
    note: c.note.trim(),
  }
}
