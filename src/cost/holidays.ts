import Holidays from 'date-holidays'

import type {Holiday} from '../../forecasters/calendar.js'

/** The `forecast.holidays` setting: whose public holidays, extra closure days, and the year-end days. */
export interface HolidayConfig {
  /** ISO 3166-1 country code (e.g. US, DE, GB) whose public holidays the forecasts expect. */
  country?: string
  /** A state or region code inside the country (e.g. CA for US-CA, BY for DE-BY). */
  region?: string
  /** Company closure days and other holidays, each with a name that repeats every year. */
  dates?: readonly Holiday[]
  /** 24 December to 1 January as holidays of their own (default true). */
  yearEnd?: boolean
}

/** Country codes the holiday calendar knows (date-holidays, maintained from official sources). */
export function knownCountry(code: string): boolean {
  return code.toUpperCase() in new Holidays().getCountries()
}

export function knownRegion(country: string, region: string): boolean {
  return region.toUpperCase() in (new Holidays().getStates(country.toUpperCase()) ?? {})
}

/**
 * The public holidays (type "public" in date-holidays: days off by law) of the configured country and
 * region over [from, to], plus the configured dates in that window. Pure apart from the library's
 * bundled data; the calendar is not fetched from anywhere.
 */
export function holidaysBetween(config: HolidayConfig, from: string, to: string): Holiday[] {
  const out: Holiday[] = (config.dates ?? []).filter((h) => h.date >= from && h.date <= to)
  if (config.country) {
    const calendar = config.region
      ? new Holidays(config.country.toUpperCase(), config.region.toUpperCase())
      : new Holidays(config.country.toUpperCase())
    for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
      for (const h of calendar.getHolidays(year)) {
        const date = h.date.slice(0, 10)
        if (h.type === 'public' && date >= from && date <= to) out.push({date, name: h.name})
      }
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date))
}
