/**
 * Every page of a Cost Explorer request, in order. The SDK ships no paginator for GetCostAndUsage,
 * GetCostAndUsageWithResources, GetDimensionValues or GetReservationUtilization, and its paginators
 * would bypass our `send` (which counts each billed request and retries throttling), so one loop
 * serves them all: `request` fetches the page after `token` (none for the first), `nextToken` reads
 * the page's continuation token (an empty token ends the listing as a missing one does).
 */
export async function* followPages<Page>(
  request: (token: string | undefined) => Promise<Page>,
  nextToken: (page: Page) => string | undefined,
): AsyncGenerator<Page> {
  let token: string | undefined
  do {
    const page = await request(token)
    yield page
    token = nextToken(page) || undefined
  } while (token)
}
