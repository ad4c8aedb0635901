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

/** Words that make a name a credential's even run into other words (`PGPASSWORD`). */
const RUN_TOGETHER_WORDS = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY"];
const RUN_TOGETHER = new RegExp(RUN_TOGETHER_WORDS.join("|"));
/** Words that make a name a credential's as its last word (`STRIPE_API_KEY`, `SENTRY_DSN`). */
const LAST_WORDS = new Set(["KEY", "KEYS", "DSN"]);
/** Names that carry a password whatever their words. */
const SECRET_NAMES = new Set(["DATABASE_URL"]);

/**
 * Is this variable name one whose value is a secret? `DB_PASS`, `MYSQL_PWD`, `SECRET_KEY_BASE`,
 * `API_KEYS`, `GITHUB_TOKEN`, `STRIPE_API_KEY`; words run together count (`PGPASSWORD`); so do
 * `DATABASE_URL` and names ending in `_DSN` (both carry a password), in any letter case.
 */
export function isSecretLikeName(name: string): boolean {
  const upper = name.toUpperCase();
  const words = upper.split(/[^A-Z0-9]+/).filter(Boolean);
  if (words.some((w) => CREDENTIAL_WORDS.has(w))) return true;
  if (RUN_TOGETHER.test(upper)) return true;
  return LAST_WORDS.has(words[words.length - 1] ?? "") || SECRET_NAMES.has(upper);
}

const listed = (words: Iterable<string>) => [...words].map((w) => `\`${w}\``).join(", ");

/** {@link isSecretLikeName}'s rule in words, for the config reference. */
export const SECRET_LIKE_NAME_RULE = `a word ${listed(CREDENTIAL_WORDS)}; ${listed(RUN_TOGETHER_WORDS)} run into other words (\`PGPASSWORD\`); a last word ${listed(LAST_WORDS)}; or ${listed(SECRET_NAMES)}; in any letter case`;

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

/** What {@link credentialKind} recognizes, in words, for the config reference. */
export const CREDENTIAL_VALUE_KINDS = CREDENTIAL_VALUES.map(([, what]) => what).join(", ");

/** What a value looks like when it is a credential (e.g. "a Stripe key"), else undefined. */
export function credentialKind(value: string): string | undefined {
  return CREDENTIAL_VALUES.find(([re]) => re.test(value))?.[1];
}
