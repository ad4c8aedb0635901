/**
 * What looks like a credential: by the name of the variable that holds it, and by its value.
 * One source for the config rules (container environment, GitHub variables) and the policy pack.
 */

/** Variable names whose values are secrets; they must come from secrets, not plain config. */
export const SECRET_LIKE_VARIABLE =
  /(^|_)(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)$|^DATABASE_URL$|_DSN$/i;

/** Values that are credentials whatever the variable is called; never echoed in messages. */
export const CREDENTIAL_VALUES: readonly (readonly [RegExp, string])[] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{20,}/, "a GitHub token"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s/@]+@/i, "a URL with a password"],
];
