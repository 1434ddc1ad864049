/**
 * Passwords never reach output. A connection string is shown with its password replaced,
 * and any text bound for output can be scrubbed of known secrets as a last line of defence.
 */
const MASK = '***';

/** The URL with its password (if any) masked; something unparseable is not echoed at all. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<connection string not shown>';
  }
  if (parsed.password) parsed.password = MASK;
  return parsed.toString();
}

/** The password in a connection URL, decoded, if it has one. */
export function passwordOf(url: string): string | null {
  try {
    const { password } = new URL(url);
    return password ? decodeURIComponent(password) : null;
  } catch {
    return null;
  }
}

/** Replaces every occurrence of each secret (raw and URL-encoded) in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      scrubbed = scrubbed.split(form).join(MASK);
    }
  }
  return scrubbed;
}
