/**
 * The spellings each cloud goes by, per provider key (`aws`, `gcp`, `azure` as node provider ids say
 * it): FOCUS ProviderName values from the three clouds' exports and our collectors, and the keys the
 * price catalog stores prices under. Lookups try each spelling, so one table serves the bill and the
 * catalog alike.
 */
export const PROVIDER_NAMES: Readonly<Record<string, readonly string[]>> = {
  aws: ['aws', 'AWS', 'Amazon Web Services'],
  gcp: ['gcp', 'Google Cloud', 'Google Cloud Platform', 'GCP'],
  azure: ['azure', 'Microsoft', 'Microsoft Azure', 'Azure'],
}
