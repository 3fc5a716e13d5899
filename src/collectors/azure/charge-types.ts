/**
 * Cost Management ChargeType values mapped to FOCUS. Unused reservation and savings-plan hours are
 * usage of a commitment (FOCUS keeps them as Usage), refunds are credits.
 */
export const CHARGE_TYPES: Record<string, {category: string; frequency: string}> = {
  Usage: {category: 'Usage', frequency: 'Usage-Based'},
  UnusedReservation: {category: 'Usage', frequency: 'Usage-Based'},
  UnusedSavingsPlan: {category: 'Usage', frequency: 'Usage-Based'},
  Purchase: {category: 'Purchase', frequency: 'One-Time'},
  Refund: {category: 'Credit', frequency: 'One-Time'},
  RoundingAdjustment: {category: 'Adjustment', frequency: 'One-Time'},
  Tax: {category: 'Tax', frequency: 'Recurring'},
}

const BY_LOWER = new Map(Object.entries(CHARGE_TYPES).map(([k, v]) => [k.toLowerCase(), v]))

/** Case-insensitive: the Query API spells dimension values as the data has them (usage, Usage). */
export function chargeOfAzure(chargeType: string): {category: string; frequency: string} {
  return BY_LOWER.get(chargeType.toLowerCase()) ?? {category: 'Adjustment', frequency: ''}
}
