/**
 * Stack config → {@link Stage}. Reads the config map, validates every key at once (schema and
 * cross-key checks), applies per-stage defaults, resolves names. Declares no resources: a config
 * that is refused here creates nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { STAGES, StageName, logGroupName, resourceName, secretName } from "../lib/naming";
import { fargateSizeProblem } from "../lib/fargate";
import { Subject, SubjectRules, parseSubject } from "../lib/subjects";
import { STAGE_DEFAULTS } from "./defaults";
import { DeliveryConfig, NAME_PATTERN, deliverySchema } from "./schema";
import { SecretStage, ServiceStage, Stage } from "./stage";

/** The project name: config keys are `delivery:<key>`. */
export const PROJECT = "delivery";

/** The raw stack config, as Pulumi hands it to the program. */
export interface ConfigInput {
  /** Stack name; `staging` and `prod` name their stage, others need `delivery:stage`. */
  readonly stack: string;
  /** Full config map: `delivery:app`, `aws:region`, `github:owner`, … (objects as JSON text). */
  readonly values: Readonly<Record<string, string>>;
  /** Keys whose values are secret (`pulumi config set --secret`). */
  readonly secretKeys: ReadonlySet<string>;
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

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const entries = (v: unknown): [string, unknown][] => (isObject(v) ? Object.entries(v) : []);

/** Config values of objects arrive as JSON text; scalars as plain text. */
function parseValue(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}

/** `delivery:services.backend.port` from a zod path under `delivery:`. */
function keyPath(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path.map(String);
  return [`${PROJECT}:${top ?? ""}`, ...rest].join(".");
}

/** Secrets Manager names: letters, digits and /_+=.@- . */
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** Variable names whose values are secrets; they must come from `delivery:secrets`. */
export const SECRET_LIKE_VARIABLE =
  /(^|_)(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)$|^DATABASE_URL$|_DSN$/;

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
  return stage;
}

/**
 * Validates the config of one stack and builds its stage. Throws {@link ConfigError} listing
 * every problem when anything is wrong.
 */
export function loadStage(input: ConfigInput): Stage {
  const problems: string[] = [];
  const stage = resolveStage(input, problems);
  const owner = input.values["github:owner"];
  const region = input.values["aws:region"];
  if (!owner) {
    problems.push(
      "github:owner: the GitHub owner (user or organization) of the app repository is not set. Fix: pulumi config set github:owner <owner>",
    );
  } else if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(owner)) {
    problems.push(
      `github:owner: "${owner}" is not a GitHub owner name (letters, digits, "-"; no wildcards). Fix: e.g. "acme"`,
    );
  }
  if (!region) {
    problems.push(
      "aws:region: the AWS region is not set. Fix: pulumi config set aws:region <region>, e.g. eu-west-1",
    );
  } else if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    problems.push(`aws:region: "${region}" is not an AWS region. Fix: e.g. eu-west-1`);
  }

  // Split delivery:* into known keys and the values of `source: config` secrets.
  const raw: Raw = {};
  const prefix = `${PROJECT}:`;
  for (const [key, value] of Object.entries(input.values)) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = parseValue(value);
  }
  const secretValueKeys = new Set<string>();
  for (const [, decl] of entries(raw.secrets)) {
    if (isObject(decl) && decl.source === "config" && typeof decl.key === "string")
      secretValueKeys.add(decl.key);
  }
  const shaped: Raw = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!secretValueKeys.has(key)) shaped[key] = value;
  }

  if (!stage) throw new ConfigError(input.stack, problems);

  const secretTopKeys = new Set(
    [...input.secretKeys].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
  );
  const parsed = deliverySchema({ stage }).safeParse(shaped, { reportInput: true });
  if (!parsed.success) problems.push(...formatIssues(parsed.error.issues, secretTopKeys));
  problems.push(...crossChecks(stage, shaped, { owner, input, secretValueKeys }));

  if (problems.length > 0 || !parsed.success || !owner || !region) {
    throw new ConfigError(input.stack, [...new Set(problems)]);
  }
  return buildStageObject(input, stage, owner, region, parsed.data);
}

function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  secretTopKeys: ReadonlySet<string>,
): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) =>
        issue.path.length === 0
          ? `${PROJECT}:${k}: unknown config key. Fix: remove it or correct the spelling (see the README's config reference)`
          : `${keyPath([...issue.path, k])}: ${issue.message}`,
      );
    }
    const key = keyPath(issue.path);
    if (issue.code === "invalid_type" && issue.input === undefined) {
      return [
        `${key}: is required. Fix: add it to the stack's config file (see the README's config reference)`,
      ];
    }
    if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) {
      const secret = secretTopKeys.has(String(issue.path[0]));
      return [
        `${key}: expected ${issue.expected}, got ${describe(issue.input, secret)}. Fix: write a ${issue.expected}`,
      ];
    }
    return [`${key}: ${issue.message}`];
  });
}

/** Describes a wrong value without ever echoing a value from a secret key. */
function describe(value: unknown, secret: boolean): string {
  if (secret) return `a ${Array.isArray(value) ? "list" : typeof value}`;
  if (typeof value === "string") return value.length <= 40 ? `"${value}"` : "a long string";
  if (Array.isArray(value)) return "a list";
  if (isObject(value)) return "a map";
  return String(value);
}

interface CheckContext {
  readonly owner: string | undefined;
  readonly input: ConfigInput;
  readonly secretValueKeys: ReadonlySet<string>;
}

/** Checks that relate keys to each other; tolerant of wrongly-typed input (the schema reports that). */
function crossChecks(stage: StageName, raw: Raw, ctx: CheckContext): string[] {
  const problems: string[] = [];
  const d = STAGE_DEFAULTS[stage];
  const secretDecls = entries(raw.secrets);
  const declared = new Set(secretDecls.map(([k]) => k));

  // Services.
  const services = entries(raw.services);
  if (isObject(raw.services) && services.length === 0) {
    problems.push(
      `${PROJECT}:services: no services. Fix: declare at least one, e.g. backend: { port: 5000, healthCheckPath: /api/health }`,
    );
  }
  for (const [svc, value] of services) {
    const key = `${PROJECT}:services.${svc}`;
    if (!NAME_PATTERN.test(svc) || svc.length > 24) {
      problems.push(
        `${key}: service name "${svc}" must be lowercase letters, digits and "-" (at most 24, starting with a letter). Fix: e.g. "backend"`,
      );
    }
    if (!isObject(value)) continue;
    const cpu = value.cpu ?? 256;
    const memory = value.memory ?? 512;
    if (typeof cpu === "number" && typeof memory === "number") {
      const problem = fargateSizeProblem(cpu, memory);
      if (problem)
        problems.push(`${key}.${value.cpu === undefined ? "memory" : "cpu"}: ${problem}`);
    }
    for (const [variable, ref] of entries(value.secrets)) {
      const name = typeof ref === "string" ? ref : isObject(ref) ? ref.secret : undefined;
      if (typeof name === "string" && !declared.has(name)) {
        problems.push(
          `${key}.secrets.${variable}: secret "${name}" is not declared. Fix: add it under delivery:secrets${declared.size ? ` or use one of ${[...declared].join(", ")}` : ""}`,
        );
      }
      if (isObject(value.environment) && variable in value.environment) {
        problems.push(
          `${key}.environment.${variable}: also set as a secret. Fix: keep it only under secrets`,
        );
      }
    }
    for (const [variable] of entries(value.environment)) {
      if (SECRET_LIKE_VARIABLE.test(variable)) {
        problems.push(
          `${key}.environment.${variable}: looks like a secret, and container environment values are plain text in the task definition. Fix: declare it in delivery:secrets and reference it under ${key}.secrets`,
        );
      }
    }
    const imageOwner = isObject(raw.ecs) ? (raw.ecs.imageOwner ?? "pipeline") : "pipeline";
    if (imageOwner === "stack" && value.imageTag === undefined) {
      problems.push(
        `${key}.imageTag: required when delivery:ecs.imageOwner is "stack". Fix: set the tag to deploy, e.g. "backend-v1.0.0"`,
      );
    }
    if (imageOwner === "pipeline" && value.imageTag !== undefined) {
      problems.push(
        `${key}.imageTag: set, but delivery:ecs.imageOwner is "pipeline" (CI owns the image). Fix: remove imageTag, or set delivery:ecs.imageOwner: stack`,
      );
    }
    if (
      value.existingServiceName !== undefined &&
      !(isObject(raw.ecs) && raw.ecs.cluster !== undefined)
    ) {
      problems.push(
        `${key}.existingServiceName: needs a cluster. Fix: set delivery:ecs.cluster.existingName`,
      );
    }
  }

  // Secrets.
  for (const [secret, decl] of secretDecls) {
    const key = `${PROJECT}:secrets.${secret}`;
    if (!NAME_PATTERN.test(secret) || secret.length > 64) {
      problems.push(
        `${key}: secret name "${secret}" must be lowercase letters, digits and "-". Fix: e.g. "jwt-secret"`,
      );
    }
    if (!isObject(decl)) continue;
    if (typeof decl.name === "string" && !SECRET_NAME_PATTERN.test(decl.name)) {
      problems.push(
        `${key}.name: "${decl.name}" is not a Secrets Manager name (letters, digits, /_+=.@-). Fix: e.g. "shop/prod/jwt-secret"`,
      );
    }
    const window = decl.recoveryWindowDays;
    if (typeof window === "number" && window < d.minSecretRecoveryWindowDays) {
      problems.push(recoveryProblem(`${key}.recoveryWindowDays`, window, stage));
    }
    if (decl.source === "config" && typeof decl.key === "string") {
      const full = `${PROJECT}:${decl.key}`;
      const command = `pulumi config set --secret ${full} <value> --stack ${ctx.input.stack}`;
      if (
        [
          "app",
          "stage",
          "tags",
          "github",
          "oidc",
          "deployRole",
          "ecr",
          "services",
          "secrets",
          "secretSettings",
          "ecs",
        ].includes(decl.key)
      ) {
        problems.push(
          `${key}.key: "${decl.key}" is a reserved config key. Fix: pick another key, e.g. "${secret.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}"`,
        );
      } else if (ctx.input.values[full] === undefined) {
        problems.push(`${full}: the value of secret "${secret}" is not set. Fix: ${command}`);
      } else if (!ctx.input.secretKeys.has(full)) {
        problems.push(
          `${full}: holds secret "${secret}" in plain text in the stack file. Fix: ${command} (this replaces it with an encrypted value)`,
        );
      }
    }
  }
  const settings = isObject(raw.secretSettings) ? raw.secretSettings : {};
  if (
    typeof settings.recoveryWindowDays === "number" &&
    settings.recoveryWindowDays < d.minSecretRecoveryWindowDays
  ) {
    problems.push(
      recoveryProblem(
        `${PROJECT}:secretSettings.recoveryWindowDays`,
        settings.recoveryWindowDays,
        stage,
      ),
    );
  }

  // Stricter prod.
  const ecr = isObject(raw.ecr) ? raw.ecr : {};
  if (stage === "prod" && ecr.imageTagMutability === "MUTABLE") {
    problems.push(
      `${PROJECT}:ecr.imageTagMutability: prod image tags must be immutable, so a deployed tag always means the same image. Fix: remove it or set IMMUTABLE`,
    );
  }
  if (!d.allowForceDelete && ecr.forceDelete === true) {
    problems.push(
      `${PROJECT}:ecr.forceDelete: would let a destroy delete prod's images. Fix: remove it (only staging may force-delete)`,
    );
  }

  // OIDC.
  if (isObject(raw.oidc) && raw.oidc.mode === "create" && raw.oidc.arn !== undefined) {
    problems.push(
      `${PROJECT}:oidc.arn: only used with mode "existing". Fix: remove arn, or set mode: existing`,
    );
  }

  // GitHub refs and trusted subjects.
  const github = isObject(raw.github) ? raw.github : {};
  const branches = Array.isArray(github.deployBranches) ? github.deployBranches : d.deployBranches;
  const tags = Array.isArray(github.deployTags) ? github.deployTags : [];
  if (branches.length + tags.length === 0) {
    problems.push(
      `${PROJECT}:github.deployTags: the ${stage} environment admits no branch or tag, so nothing could deploy. Fix: list tag patterns (e.g. "backend-v*") or branches in deployBranches`,
    );
  }
  for (const [i, ref] of branches.entries()) {
    if (typeof ref === "string" && (ref.startsWith("refs/") || ref.includes(":"))) {
      problems.push(
        `${PROJECT}:github.deployBranches[${i}]: "${ref}" must be a branch name or pattern, not a ref. Fix: e.g. "main"`,
      );
    }
  }
  const environment =
    typeof github.environment === "string" ? github.environment : d.githubEnvironment;
  if (environment === d.otherStageEnvironment) {
    problems.push(
      `${PROJECT}:github.environment: "${environment}" is the other stage's environment. Fix: use "${d.githubEnvironment}"`,
    );
  }
  const role = isObject(raw.deployRole) ? raw.deployRole : {};
  if (ctx.owner && typeof github.repository === "string" && Array.isArray(role.subjects)) {
    const rules = subjectRules(stage, role.allowSubjectPatterns === true, false);
    role.subjects.forEach((s, i) => {
      if (typeof s !== "string") return;
      const result = parseSubject(
        s,
        { owner: ctx.owner as string, repository: github.repository as string },
        rules,
      );
      if (!result.ok) problems.push(`${PROJECT}:deployRole.subjects[${i}]: ${result.problem}`);
    });
  }

  // ECS.
  const ecs = isObject(raw.ecs) ? raw.ecs : {};
  if (ecs.network !== undefined && ecs.cluster === undefined) {
    problems.push(
      `${PROJECT}:ecs.cluster: services need a cluster when delivery:ecs.network is set. Fix: add cluster: { create: true } or { existingName: <name> }`,
    );
  }
  return problems;
}

function recoveryProblem(key: string, days: number, stage: StageName): string {
  const min = STAGE_DEFAULTS[stage].minSecretRecoveryWindowDays;
  return `${key}: ${days} days is below ${stage}'s minimum of ${min}; a deleted secret could not be restored. Fix: use ${min} to 30`;
}

/** The trust rules of a stage's roles. */
export function subjectRules(
  stage: StageName,
  allowPatterns: boolean,
  allowPullRequest: boolean,
): SubjectRules {
  return {
    allowPatterns,
    allowPullRequest,
    forbiddenEnvironments: [STAGE_DEFAULTS[stage].otherStageEnvironment],
  };
}

function buildStageObject(
  input: ConfigInput,
  stage: StageName,
  owner: string,
  region: string,
  c: DeliveryConfig,
): Stage {
  const d = STAGE_DEFAULTS[stage];
  const repo = { owner, repository: c.github.repository };
  const rules = subjectRules(stage, c.deployRole.allowSubjectPatterns, false);
  const extra = c.deployRole.subjects.map((s) => {
    const parsed = parseSubject(s, repo, rules);
    if (!parsed.ok) throw new Error(`unreachable: subject checked above: ${parsed.problem}`);
    return parsed.subject;
  });
  const subjects: Subject[] = [{ kind: "environment", value: c.github.environment }, ...extra];

  const secrets: SecretStage[] = Object.entries(c.secrets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, decl]) => ({
      key,
      name: decl.name ?? secretName(c.app, stage, key),
      recoveryWindowDays: decl.recoveryWindowDays ?? c.secretSettings.recoveryWindowDays,
      source:
        decl.source === "generated"
          ? {
              kind: "generated",
              length: decl.length,
              special: decl.special,
              upper: decl.upper,
              lower: decl.lower,
              numeric: decl.numeric,
              rotation: decl.rotation,
            }
          : decl.source === "config"
            ? {
                kind: "config",
                configKey: `${PROJECT}:${decl.key}`,
                value: pulumi.secret(input.values[`${PROJECT}:${decl.key}`]),
              }
            : { kind: "external", placeholder: decl.placeholder },
    }));

  const services: ServiceStage[] = Object.entries(c.services)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, s]) => ({
      key,
      name: resourceName(c.app, stage, key),
      repositoryName: s.repositoryName ?? resourceName(c.app, stage, key),
      port: s.port,
      healthCheckPath: s.healthCheckPath,
      healthCheckCommand: s.healthCheckCommand,
      cpu: s.cpu,
      memory: s.memory,
      architecture: s.architecture,
      environment: Object.fromEntries(
        Object.entries(s.environment).map(([k, v]) => [k, String(v)]),
      ),
      secrets: Object.entries(s.secrets)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([variable, ref]) =>
          typeof ref === "string"
            ? { variable, secret: ref }
            : { variable, secret: ref.secret, jsonKey: ref.jsonKey },
        ),
      readonlyRootFilesystem: s.readonlyRootFilesystem,
      imageTag: s.imageTag ?? c.ecs.bootstrapImageTag,
      logGroupName: logGroupName(c.app, stage, key),
      desiredCount: s.desiredCount,
      healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
      targetGroupArn: s.targetGroupArn,
      existingServiceName: s.existingServiceName,
      taskRolePolicyArns: s.taskRolePolicyArns,
    }));

  const cluster = c.ecs.cluster;
  return deepFreeze({
    stack: input.stack,
    name: stage,
    app: c.app,
    region,
    tags: { ...c.tags, app: c.app, stage, "managed-by": "pulumi-delivery" },
    repo,
    github: {
      environment: c.github.environment,
      deployBranches: c.github.deployBranches,
      deployTags: c.github.deployTags,
    },
    oidc: { mode: c.oidc.mode, arn: c.oidc.arn },
    deployRole: {
      name: resourceName(c.app, stage, "deploy"),
      subjects,
      maxSessionDuration: c.deployRole.maxSessionDuration,
      permissionsBoundary: c.deployRole.permissionsBoundary,
    },
    ecr: { ...c.ecr },
    services,
    secrets,
    secretsKmsKeyArn: c.secretSettings.kmsKeyArn,
    ecs: {
      imageOwner: c.ecs.imageOwner,
      logRetentionDays: c.ecs.logRetentionDays,
      cluster: !cluster
        ? undefined
        : "create" in cluster
          ? {
              create: true,
              name: cluster.name ?? resourceName(c.app, stage),
              containerInsights: cluster.containerInsights,
            }
          : { create: false, name: cluster.existingName },
      network: c.ecs.network,
    },
    protectData: d.protectData,
  } satisfies Stage);
}

/** Freezes plain data deeply; Pulumi Outputs are left as they are. */
function deepFreeze<T>(value: T): T {
  if (
    typeof value === "object" &&
    value !== null &&
    !pulumi.Output.isInstance(value) &&
    !Object.isFrozen(value)
  ) {
    Object.values(value as Raw).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Reads the config of the running Pulumi program (real engine or mocks). */
export function readRuntimeConfig(): ConfigInput {
  const values = pulumi.runtime.allConfig();
  // `isConfigSecret` is how the SDK itself decides whether `Config.get` should warn; it is not in
  // the public typings, so it is reached through a typed view of the runtime module.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  const secretKeys = new Set(
    Object.keys(values).filter((k) => runtime.isConfigSecret?.(k) ?? false),
  );
  return { stack: pulumi.getStack(), values, secretKeys };
}
