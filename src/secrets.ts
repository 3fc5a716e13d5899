/** Credentials in text: the one redaction every printed message goes through, and the checks that keep secrets out of rendered files. */

// Query parameters that carry a credential: tokens, keys, signatures (AWS and Azure SAS), passwords, OAuth codes.
const SECRET_PARAM =
  /^(?:.*(?:token|secret|passw(?:or)?d|pwd|api[_-]?key|access[_-]?key|private[_-]?key|credential|signature|session)|key|apikey|sig|code|auth|authorization|x-amz-security-token)$/i

// A URL in free text: scheme://, then anything up to whitespace or a quote/bracket that ends it.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi

/**
 * Redacts one URL: the whole userinfo (a token is often the user name: https://TOKEN@host) and
 * the value of every credential-like query parameter.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, '$1****@')
    .replace(/([?&;#])([^=&;#\s]+)=([^&;#\s]*)/g, (match, sep: string, name: string) =>
      SECRET_PARAM.test(decodeSafe(name)) ? `${sep}${name}=****` : match,
    )
    .replace(/(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[^\s?#]+/gi, '$1****')
}

const decodeSafe = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** True when a URL carries a credential (userinfo, or a token/key/signature parameter): it must never be rendered or printed. */
export function urlHasSecret(url: string): boolean {
  return redactUrl(url) !== url
}

/** Every URL in a text that carries a credential, with its 1-based line, redacted for the message. */
export function findSecretUrls(text: string): {line: number; url: string}[] {
  const found: {line: number; url: string}[] = []
  text.split('\n').forEach((line, i) => {
    for (const match of line.matchAll(URL_IN_TEXT))
      if (urlHasSecret(match[0])) found.push({line: i + 1, url: redactUrl(match[0])})
  })
  return found
}

// Secrets outside URLs: headers, key=value pairs, AWS access key ids.
const SECRET_PATTERNS: RegExp[] = [
  /(authorization:\s*)(bearer\s+|basic\s+)?[^\s,;]+/gi,
  /(bearer\s+)[\w.~+/=-]+/gi,
  /((?:access[_-]?key|secret|token|password|passwd|sig|signature|api[_-]?key|client[_-]?secret)["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi,
  /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[^\s?#'"]+/gi,
  /(AKIA|ASIA)[A-Z0-9]{12,}/g,
]

/**
 * Redacts anything that looks like a credential: the one function every message we print or log
 * goes through (errors, warnings, notes, run logs).
 */
export function redact(text: string): string {
  let out = text.replace(URL_IN_TEXT, redactUrl)
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string, second?: string) => {
      if (pattern.source.startsWith('(AKIA')) return `${match.slice(0, 4)}****`
      if (match.includes('****')) return match
      return `${typeof prefix === 'string' ? prefix : ''}${typeof second === 'string' && /bearer|basic/i.test(second) ? second : ''}****`
    })
  }
  return out
}
