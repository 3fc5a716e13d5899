/** Bill ids that are this commitment: the same id (any case), or an ARN/path whose last segment is it. */
export function billedAs(id: string, billedIds: readonly string[]): string[] {
  const lower = id.toLowerCase()
  const exact = billedIds.filter((b) => b.toLowerCase() === lower)
  if (exact.length > 0) return [...new Set(exact)]
  return [...new Set(billedIds.filter((b) => /[/:]/.test(b) && b.toLowerCase().split(/[/:]/).at(-1) === lower))]
}
