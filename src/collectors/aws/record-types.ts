/**
 * Cost Explorer RECORD_TYPE values mapped to FOCUS ChargeCategory and ChargeFrequency. Usage
 * covered by reservations or Savings Plans is still usage; the fees that buy them are purchases.
 */
export const RECORD_TYPES: Record<string, {category: string; frequency: string}> = {
  Usage: {category: 'Usage', frequency: 'Usage-Based'},
  DiscountedUsage: {category: 'Usage', frequency: 'Usage-Based'},
  SavingsPlanCoveredUsage: {category: 'Usage', frequency: 'Usage-Based'},
  SavingsPlanNegation: {category: 'Usage', frequency: 'Usage-Based'},
  Credit: {category: 'Credit', frequency: 'One-Time'},
  Refund: {category: 'Credit', frequency: 'One-Time'},
  BundledDiscount: {category: 'Credit', frequency: 'Usage-Based'},
  'Enterprise Discount Program Discount': {category: 'Credit', frequency: 'Usage-Based'},
  'Private Rate Card Discount': {category: 'Credit', frequency: 'Usage-Based'},
  'Solution Provider Program Discount': {category: 'Credit', frequency: 'Usage-Based'},
  'Distributor Discount': {category: 'Credit', frequency: 'Usage-Based'},
  Tax: {category: 'Tax', frequency: 'Recurring'},
  RIFee: {category: 'Purchase', frequency: 'Recurring'},
  Fee: {category: 'Purchase', frequency: 'One-Time'},
  SavingsPlanRecurringFee: {category: 'Purchase', frequency: 'Recurring'},
  SavingsPlanUpfrontFee: {category: 'Purchase', frequency: 'One-Time'},
  Support: {category: 'Purchase', frequency: 'Recurring'},
}

/**
 * The record types fetched at service grain; everything else is fetched per record type. The
 * negation of Savings-Plan-covered usage belongs here: it cancels that usage's on-demand
 * UnblendedCost service by service (its AmortizedCost is zero), so per-service billed cost is right
 * and no service-less negative row appears.
 */
export const USAGE_RECORD_TYPES = [
  'Usage',
  'DiscountedUsage',
  'SavingsPlanCoveredUsage',
  'SavingsPlanNegation',
] as const

export function chargeOf(recordType: string): {category: string; frequency: string} {
  return RECORD_TYPES[recordType] ?? {category: 'Adjustment', frequency: ''}
}
