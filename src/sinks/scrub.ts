// Removes a secret (API key, auth token) from text shown to people: log lines, errors, rejects.

/**
 * A secret long enough to be a real one goes wherever it appears; a short one only where it stands
 * alone, so that a toy token such as "q" does not mangle the server's words ("re[redacted]uired").
 */
export function createScrubber(secret: string): (text: string) => string {
  if (secret === '') return (text) => text;
  if (secret.length >= 8) return (text) => (text.includes(secret) ? text.split(secret).join('[redacted]') : text);
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const alone = new RegExp(`(?<![A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`, 'g');
  return (text) => text.replace(alone, '[redacted]');
}
