/**
 * Secrets Manager secrets that can be created and restored: valid names, a recovery window the
 * stage allows, and config-sourced values that exist and are encrypted.
 */
import { byKey } from "../../lib/order";
import { GITHUB_VARIABLE_MAX_BYTES } from "../../lib/variables";
import { STAGE_DEFAULTS } from "../defaults";
import { NAMESPACES } from "../names";
import { PROJECT } from "../project";
import { CONFIG_KEY_PATTERN, NAME_PATTERN, SECTIONS } from "../schema";
import { Rule, RuleContext, rule } from "./rule";

function recoveryProblem(key: string, days: number, ctx: RuleContext): string {
  const min = STAGE_DEFAULTS[ctx.stage].minSecretRecoveryWindowDays;
  return `${key}: ${days} days is below ${ctx.stage}'s minimum of ${min}; a deleted secret could not be restored. Fix: use ${min} to 30`;
}

/** A config key that holds an encrypted value, and who refers to it. */
interface SecretValueRef {
  /** Where the reference is, e.g. `delivery:secrets.database-url.key`. */
  readonly referencedAt: string;
  /** What the value is for, e.g. `secret "database-url"`. */
  readonly label: string;
  /** Key without the `delivery:` prefix, e.g. `databaseUrl`. */
  readonly key: string;
  /** The largest value the destination takes, and the rule's source. */
  readonly maxBytes: number;
  readonly limit: string;
}

/** Secrets Manager CreateSecret SecretString: 1 to 65,536 bytes. */
const SECRETS_MANAGER_MAX = {
  maxBytes: 65_536,
  limit: "Secrets Manager takes at most 65,536 (CreateSecret SecretString)",
};
/** docs.github.com, Using secrets in GitHub Actions: secrets are limited to 48 KB. */
const GITHUB_SECRET_MAX = {
  maxBytes: GITHUB_VARIABLE_MAX_BYTES,
  limit: "a GitHub secret holds at most 48 KB",
};

export const secretRules: readonly Rule[] = [
  rule(["secrets", "secretSettings"], (c, ctx) => {
    const problems: string[] = [];
    const min = STAGE_DEFAULTS[ctx.stage].minSecretRecoveryWindowDays;
    for (const secret of ctx.declared.secrets) {
      if (!NAME_PATTERN.test(secret) || secret.length > 64) {
        problems.push(
          `${PROJECT}:secrets.${secret}: secret name "${secret}" must be lowercase letters, digits and "-". Fix: e.g. "jwt-secret"`,
        );
      }
    }
    for (const [secret, d] of byKey(c.secrets)) {
      const key = `${PROJECT}:secrets.${secret}`;
      if (d.name !== undefined && !NAMESPACES.secret.pattern.test(d.name)) {
        problems.push(
          `${key}.name: "${d.name}" is not a Secrets Manager name (letters, digits, /_+=.@-). Fix: e.g. "shop/prod/jwt-secret"`,
        );
      }
      // terraform-provider-random resource_password.go: at least one character set must be on.
      if (d.source === "generated" && !d.upper && !d.lower && !d.numeric && !d.special) {
        problems.push(
          `${key}: upper, lower, numeric and special are all false, so there is nothing to generate the value from. Fix: turn at least one on`,
        );
      }
      if (d.recoveryWindowDays !== undefined && d.recoveryWindowDays < min) {
        problems.push(recoveryProblem(`${key}.recoveryWindowDays`, d.recoveryWindowDays, ctx));
      }
    }
    const window = c.secretSettings.recoveryWindowDays;
    if (window < min) {
      problems.push(recoveryProblem(`${PROJECT}:secretSettings.recoveryWindowDays`, window, ctx));
    }
    return problems;
  }),

  // Encrypted config values must exist and be encrypted; the command to fix it is named.
  rule(["secrets", "github"], (c) =>
    c.github.manage
      ? []
      : byKey(c.secrets).flatMap(([name, d]) =>
          d.githubVariable
            ? [
                `${PROJECT}:secrets.${name}.githubVariable: the stack writes nothing on GitHub while delivery:github.manage is false. Fix: remove it, or set manage: true`,
              ]
            : [],
        ),
  ),
  rule(["secrets", "github"], (c, ctx) => {
    const refs: SecretValueRef[] = [
      ...byKey(c.secrets).flatMap(([name, d]) =>
        d.source === "config"
          ? [
              {
                referencedAt: `${PROJECT}:secrets.${name}.key`,
                label: `secret "${name}"`,
                key: d.key,
                ...SECRETS_MANAGER_MAX,
              },
            ]
          : [],
      ),
      ...byKey(c.github.secrets).flatMap(([name, d]) =>
        d.source === "config"
          ? [
              {
                referencedAt: `${PROJECT}:github.secrets.${name}.key`,
                label: `GitHub secret ${name}`,
                key: d.key,
                ...GITHUB_SECRET_MAX,
              },
            ]
          : [],
      ),
    ];
    const problems: string[] = [];
    // A key that is not a key name is reported by the schema; it may even be a pasted secret.
    for (const ref of refs.filter((r) => CONFIG_KEY_PATTERN.test(r.key))) {
      const full = `${PROJECT}:${ref.key}`;
      const command = `pulumi config set --secret ${full} <value> --stack ${ctx.stack}`;
      if ((SECTIONS as readonly string[]).includes(ref.key)) {
        problems.push(
          `${ref.referencedAt}: "${ref.key}" is a reserved config key. Fix: pick another key, e.g. "${ref.key}Value"`,
        );
      } else if (ctx.values[full] === undefined) {
        problems.push(`${full}: the value of ${ref.label} is not set. Fix: ${command}`);
      } else if (!ctx.secretKeys.has(full)) {
        problems.push(
          `${full}: holds ${ref.label} in plain text in the stack file. Fix: ${command} (this replaces it with an encrypted value)`,
        );
      } else if (Buffer.byteLength(ctx.values[full], "utf8") > ref.maxBytes) {
        // Only the size is said, never the value.
        problems.push(
          `${full}: the value of ${ref.label} is ${Buffer.byteLength(ctx.values[full], "utf8")} bytes; ${ref.limit}. Fix: store a smaller value, or keep it elsewhere and store a reference`,
        );
      }
    }
    return problems;
  }),
];
