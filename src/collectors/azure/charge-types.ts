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

export function chargeOfAzure(chargeType: string): {category: string; frequency: string} {
  return CHARGE_TYPES[chargeType] ?? {category: 'Adjustment', frequency: ''}
}
