/** The terminal's width: the TTY's own, else $COLUMNS (set by shells and `COLUMNS=60 finops ...`), else 80. */
export function terminalColumns(stream: {columns?: number} = process.stdout, env = process.env): number {
  if (stream.columns && stream.columns > 0) return stream.columns
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10)
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 80
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export function colorWanted(stream: {isTTY?: boolean} = process.stdout, env = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.FORCE_COLOR !== '0'
}
