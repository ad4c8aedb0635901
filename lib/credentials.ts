/**
 * What looks like a credential: by the name of the variable that holds it, and by its value.
 * One source for the config rules (container environment, GitHub variables, tags) and the
 * policy pack. Messages say what a value looks like, never the value.
 */

/** Words that make a variable's value a credential, wherever they stand in its name. */
const CREDENTIAL_WORDS = new Set([
  "PASSWORD",
  "PASSWD",
  "PASS",
  "PWD",
  "SECRET",
  "SECRETS",
  "TOKEN",
  "TOKENS",
  "CREDENTIAL",
  "CREDENTIALS",
  "APIKEY",
  "PRIVATE",
]);

/**
 * Is this variable name one whose value is a secret? `DB_PASS`, `MYSQL_PWD`, `SECRET_KEY_BASE`,
 * `API_KEYS`, `GITHUB_TOKEN`, `STRIPE_API_KEY`; words run together count (`PGPASSWORD`); so do
 * `DATABASE_URL` and names ending in `_DSN` (both carry a password), in any letter case.
 */
export function isSecretLikeName(name: string): boolean {
  const upper = name.toUpperCase();
  const words = upper.split(/[^A-Z0-9]+/).filter(Boolean);
  if (words.some((w) => CREDENTIAL_WORDS.has(w))) return true;
  if (/PASSWORD|PASSWD|SECRET|TOKEN|APIKEY/.test(upper)) return true;
  const last = words[words.length - 1] ?? "";
  return last === "KEY" || last === "KEYS" || last === "DSN" || upper === "DATABASE_URL";
}

/** Values that are credentials whatever the variable is called. */
export const CREDENTIAL_VALUES: readonly (readonly [RegExp, string])[] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{20,}/, "a GitHub token"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\b[sr]k_(live|test)_[0-9A-Za-z]{10,}/, "a Stripe key"],
  [/\bsk-(proj-)?[A-Za-z0-9_-]{20,}/, "an OpenAI-style API key"],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
  [/\bnpm_[A-Za-z0-9]{36}\b/, "an npm token"],
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/, "a JSON Web Token"],
  [/[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s/@]+@/i, "a URL with a password"],
];

/** What a value looks like when it is a credential (e.g. "a Stripe key"), else undefined. */
export function credentialKind(value: string): string | undefined {
  return CREDENTIAL_VALUES.find(([re]) => re.test(value))?.[1];
}
