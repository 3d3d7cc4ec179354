/** Masks e-mail addresses and key-looking strings in free text: the guard's example masking and `recordContent: 'redacted'`. */

/** What an e-mail address becomes. */
export const MASKED_EMAIL = '[email]';
/** What a key-looking string becomes. */
export const MASKED_SECRET = '[secret]';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * Strings that look like credentials: provider keys (`sk-…`, `sk-ant-…`), AWS access key ids, GitHub and Slack tokens,
 * Google API keys, JWTs, PEM private keys, and any run of 32+ letters, digits, `_` or `-` holding both a letter and a
 * digit (hex digests and random tokens look like that; words and most identifiers do not).
 */
const SECRET = new RegExp([
  '-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----',
  '\\b(?:sk|rk|pk)-[A-Za-z0-9_-]{16,}',
  '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b',
  '\\bgh[pousr]_[A-Za-z0-9]{20,}',
  '\\bgithub_pat_[A-Za-z0-9_]{20,}',
  '\\bxox[abposr]-[A-Za-z0-9-]{10,}',
  '\\bAIza[0-9A-Za-z_-]{35}',
  '\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}',
  '(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])',
].join('|'), 'g');

/**
 * `text` with every e-mail address replaced by `[email]` and every key-looking string by `[secret]`; the same string
 * when nothing matched. A heuristic: it catches the usual shapes, not every secret a person can type.
 */
export function maskSecretsAndEmails(text: string): string {
  return text.replace(SECRET, MASKED_SECRET).replace(EMAIL, MASKED_EMAIL);
}
