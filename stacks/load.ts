/**
 * Stack config → {@link Stage}. Reads the config map, validates every key at once (schema and
 * cross-key checks), applies per-stage defaults, resolves names. Declares no resources: a config
 * that is refused here creates nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { isObject } from "../lib/json";
import { sdkInternal } from "../lib/sdkInternals";
import { STAGES, StageName } from "../lib/naming";
import { stageAccess } from "./access";
import { buildStageObject, deepFreeze } from "./build";
import { NAME_SECTIONS, awsNameEntries, nameProblems, stageNames } from "./names";
import { parseConfig } from "./parse";
import {
  ACCOUNT_ID_PATTERN,
  OWNER_PATTERN,
  PROJECT,
  REGION_PATTERN,
  deliveryValues,
  parseConfigValue,
} from "./project";
import { RULES, STAGE_RULES } from "./rules";
import { ARN_SECTIONS, configArns, expectedAccounts } from "./rules/accounts";
import { isolationProblems } from "./rules/stageIsolation";
import { oidcCreators, siblingNamespaces } from "./siblings";
import { siblingStacks } from "./stackFiles";
import { prodReviewFindings } from "./rules/prodReview";
import { RuleContext, runRules } from "./rules/rule";
import { DeliveryConfig, NAME_PATTERN, SECTIONS, Section, stageSchema } from "./schema";
import { Stage } from "./stage";
import { parseTrust } from "./trust";

export { PROJECT } from "./project";

/** The raw stack config, as Pulumi hands it to the program. */
export interface ConfigInput {
  /** Stack name; `staging` and `prod` name their stage, others need `delivery:stage`. */
  readonly stack: string;
  /** Full config map: `delivery:app`, `aws:region`, `github:owner`, … (objects as JSON text). */
  readonly values: Readonly<Record<string, string>>;
  /** Keys whose values are secret (`pulumi config set --secret`). */
  readonly secretKeys: ReadonlySet<string>;
  /**
   * The project's other stacks, from their stack files: the stage keeps clear of the names and
   * ARNs of those of another stage. Undefined: none known (only the standard names are checked).
   */
  readonly siblings?: readonly ConfigInput[];
}

/**
 * Every problem of a refused config, one line each: `<key>: <what is wrong>. Fix: <how>`.
 * A `RunError`, so `pulumi preview` prints the problems without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly stack: string,
    readonly problems: readonly string[],
  ) {
    super(
      `stack "${stack}" has ${problems.length} config problem${problems.length === 1 ? "" : "s"}; nothing was created:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** The sections the ARNs and shared resources of the isolation check come from. */
const ISOLATION_SECTIONS = [...ARN_SECTIONS, "shared"] as const satisfies readonly Section[];

function resolveStage(input: ConfigInput, problems: string[]): StageName | undefined {
  const configured = input.values[`${PROJECT}:stage`];
  const fromStack = (STAGES as readonly string[]).includes(input.stack)
    ? (input.stack as StageName)
    : undefined;
  if (configured !== undefined && !(STAGES as readonly string[]).includes(configured)) {
    problems.push(`${PROJECT}:stage: "${configured}" is not a stage. Fix: use "staging" or "prod"`);
    return undefined;
  }
  if (fromStack && configured && configured !== fromStack) {
    problems.push(
      `${PROJECT}:stage: stack "${input.stack}" is the ${fromStack} stage but config says "${configured}". Fix: remove delivery:stage from this stack's file`,
    );
    return undefined;
  }
  const stage = fromStack ?? (configured as StageName | undefined);
  if (!stage) {
    problems.push(
      `${PROJECT}:stage: stack "${input.stack}" is not a known stage and its config names none. Fix: name the stack "staging" or "prod", or set delivery:stage to one of them`,
    );
  }
  if (!(input.stack.length <= 20 && NAME_PATTERN.test(input.stack))) {
    // The stack name is part of every physical name, so it must be valid in all of them.
    problems.push(
      `${PROJECT}:stage: stack name "${input.stack}" is used in resource names and must be lowercase letters, digits and single "-" (at most 20, starting with a letter). Fix: pulumi stack rename <new-name>`,
    );
    return undefined;
  }
  return stage;
}

/** The settings of the providers outside `delivery:*`, each when set and valid. */
interface ProviderSettings {
  readonly owner?: string;
  readonly region?: string;
  readonly allowedAccountIds?: readonly string[];
}

/** Reads `github:owner`, `aws:region` and `aws:allowedAccountIds`, reporting what is wrong. */
function providerSettings(input: ConfigInput, problems: string[]): ProviderSettings {
  const owner = input.values["github:owner"];
  const region = input.values["aws:region"];
  if (!owner) {
    problems.push(
      "github:owner: the GitHub owner (user or organization) of the app repository is not set. Fix: pulumi config set github:owner <owner>",
    );
  } else if (!OWNER_PATTERN.test(owner)) {
    problems.push(
      `github:owner: "${owner}" is not a GitHub owner name (letters, digits, "-"; no wildcards). Fix: e.g. "acme"`,
    );
  }
  if (!region) {
    problems.push(
      "aws:region: the AWS region is not set. Fix: pulumi config set aws:region <region>, e.g. eu-west-1",
    );
  } else if (!REGION_PATTERN.test(region)) {
    problems.push(`aws:region: "${region}" is not an AWS region. Fix: e.g. eu-west-1`);
  }
  // The AWS provider's own guard against the wrong account; YAML may read an id as a number.
  const accountsText = input.values["aws:allowedAccountIds"];
  let allowedAccountIds: string[] | undefined;
  if (accountsText !== undefined) {
    const accounts = parseConfigValue(accountsText);
    const ids: unknown[] = Array.isArray(accounts) ? accounts : [];
    const texts = ids.map((a) => (typeof a === "number" ? String(a) : a));
    if (
      texts.length > 0 &&
      texts.every((a) => typeof a === "string" && ACCOUNT_ID_PATTERN.test(a))
    ) {
      allowedAccountIds = texts as string[];
    } else {
      problems.push(
        'aws:allowedAccountIds: must be a list of 12-digit AWS account ids, quoted so YAML keeps leading zeros. Fix: e.g. ["012345678901"]',
      );
    }
  }
  return {
    owner: owner && OWNER_PATTERN.test(owner) ? owner : undefined,
    region: region && REGION_PATTERN.test(region) ? region : undefined,
    allowedAccountIds,
  };
}

/**
 * Validates the config of one stack and builds its stage. Throws {@link ConfigError} listing
 * every problem when anything is wrong.
 */
export function loadStage(input: ConfigInput): Stage {
  const problems: string[] = [];
  const stage = resolveStage(input, problems);
  const settings = providerSettings(input, problems);

  // Split delivery:* into the schema's sections and the encrypted values `source: config` names.
  const raw = deliveryValues(input.values);
  const valueKeys = new Set(
    configValueKeys(raw).filter((k) => !(SECTIONS as readonly string[]).includes(k)),
  );
  const shaped = Object.fromEntries(Object.entries(raw).filter(([key]) => !valueKeys.has(key)));

  if (!stage) throw new ConfigError(input.stack, redact(problems, input));

  const prefix = `${PROJECT}:`;
  const secretTopKeys = new Set(
    [...input.secretKeys].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
  );
  const parsed = parseConfig(stageSchema(stage), shaped, secretTopKeys);
  problems.push(...parsed.problems);
  const { owner, region } = settings;
  const ctx: RuleContext = {
    stage,
    stack: input.stack,
    ...settings,
    values: input.values,
    secretKeys: input.secretKeys,
    declared: parsed.declared,
  };
  problems.push(...runRules(RULES, parsed.config, parsed.sections, ctx));
  const c = parsed.config;
  const trust =
    owner && c.github && c.deployRole && c.roles
      ? parseTrust({ github: c.github, deployRole: c.deployRole, roles: c.roles }, stage, owner)
      : undefined;
  problems.push(...(trust?.problems ?? []));

  // The names table, as soon as the sections names come from parsed (the map sections with the
  // entries that parsed), so a clash is reported with the other problems.
  const names = NAME_SECTIONS.every((section) => parsed.sections.has(section))
    ? stageNames(c as DeliveryConfig, {
        stack: input.stack,
        stage,
        accounts: settings.allowedAccountIds,
      })
    : undefined;
  if (names) {
    const entries = awsNameEntries(c as DeliveryConfig, names);
    problems.push(...nameProblems(entries));
    if (ISOLATION_SECTIONS.every((section) => parsed.sections.has(section))) {
      problems.push(
        ...isolationProblems({
          app: (c as DeliveryConfig).app,
          stack: input.stack,
          stage,
          names: entries,
          arns: configArns(c as DeliveryConfig).filter((a) => a.reaches),
          shared: (c as DeliveryConfig).shared,
          siblings: siblingNamespaces(input.siblings ?? [], stage),
        }),
      );
    }
  }

  if (parsed.sections.has("oidc") && (c as DeliveryConfig).oidc.mode === "create") {
    const mine = settings.allowedAccountIds ?? [];
    for (const other of oidcCreators(input.siblings ?? [])) {
      const shared = other.accounts.filter((a) => mine.includes(a));
      if (shared.length > 0) {
        problems.push(
          `${PROJECT}:oidc.mode: stack ${other.stack} also creates the GitHub OIDC provider in account ${shared.join(", ")}; IAM keeps one per account, so the second pulumi up fails with EntityAlreadyExists. Fix: keep mode: create in one stack of the account and set mode: existing in the others`,
        );
      }
    }
  }

  if (problems.length > 0 || !parsed.complete || !trust || !owner || !region || !names) {
    throw new ConfigError(input.stack, redact([...new Set(problems)], input));
  }
  // Rules over the whole stage: they need every section.
  const config = c as DeliveryConfig;
  const built = buildStageObject(
    {
      stack: input.stack,
      stage,
      owner,
      region,
      values: input.values,
      allowedAccountIds: expectedAccounts(config, settings.allowedAccountIds),
    },
    config,
    trust,
    names,
  );
  const {
    access,
    problems: accessProblems,
    names: policyNames,
  } = stageAccess(built, config.quotas);
  problems.push(...accessProblems, ...nameProblems(policyNames));
  const checked = { ...built, access };
  problems.push(...STAGE_RULES.flatMap((r) => r(checked)));
  // A waived invariant is a warning the plan prints first; otherwise it refuses the config.
  const review = prodReviewFindings(checked);
  const waiver = checked.waivers.prodWithoutReview;
  if (!waiver) problems.push(...review);
  if (problems.length > 0) throw new ConfigError(input.stack, redact(problems, input));
  const warnings = [
    ...(waiver
      ? review.map(
          (f) =>
            `waived by delivery:waivers.prodWithoutReview ("${waiver}"): ${f.replace(/ Fix: .*$/, "")}`,
        )
      : []),
  ];
  return deepFreeze({ ...checked, warnings });
}

/**
 * The config keys that `source: config` secrets name, read from the raw values before parsing:
 * they hold encrypted values, not sections, and are split off first.
 */
function configValueKeys(raw: Readonly<Record<string, unknown>>): string[] {
  const keysOf = (section: unknown) =>
    Object.values(isObject(section) ? section : {}).flatMap((d) =>
      isObject(d) && d.source === "config" && typeof d.key === "string" ? [d.key] : [],
    );
  return [...keysOf(raw.secrets), ...keysOf(isObject(raw.github) ? raw.github.secrets : undefined)];
}

/** Every string and long number in the secret config values, to keep them out of messages. */
function secretFragments(input: ConfigInput): string[] {
  const out: string[] = [];
  // A structured key set with `--secret --path` is secret as a whole, though most of it is
  // structure (`source: config`); words like that stay readable, anything value-like is hidden.
  // Secret sections are refused unread; what is left are the values config refers to by key,
  // hidden down to short ones (a 4-character PIN is a secret too).
  const valueLike = (text: string) => text.length >= 4;
  const walk = (v: unknown): void => {
    if (typeof v === "string" && valueLike(v)) out.push(v);
    else if (typeof v === "number" && String(v).length >= 4) out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) Object.values(v).forEach(walk);
  };
  // Secret sections are refused without being read (parse.ts): only scalar values remain.
  const sections = new Set<string>(SECTIONS.map((s) => `${PROJECT}:${s}`));
  for (const key of input.secretKeys) {
    if (!sections.has(key)) walk(parseConfigValue(input.values[key] ?? ""));
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Replaces any secret config value a message would repeat. */
function redact(problems: readonly string[], input: ConfigInput): string[] {
  const fragments = secretFragments(input);
  return problems.map((p) => fragments.reduce((text, f) => text.split(f).join("[secret]"), p));
}

/** Reads the config of the running Pulumi program (real engine or mocks). */
export function readRuntimeConfig(): ConfigInput {
  const values = pulumi.runtime.allConfig();
  const isConfigSecret = sdkInternal("isConfigSecret");
  const secretKeys = new Set(Object.keys(values).filter((k) => isConfigSecret(k)));
  const stack = pulumi.getStack();
  // The engine runs the program in the project's directory, beside the stack files.
  return { stack, values, secretKeys, siblings: siblingStacks(process.cwd(), stack) };
}
