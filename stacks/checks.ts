/**
 * Checks that relate config keys to each other (a service's secret must be declared, cpu and
 * memory must be a Fargate pair, prod needs reviewers, ...). They read the raw config and tolerate
 * wrongly-typed values, which the schema reports, so every problem is found in one pass.
 */
import { FARGATE_SIZES, fargateSizeProblem } from "../lib/fargate";
import { IAM_ROLE_NAME_MAX, PROGRAM_TAG_KEYS, StageName, resourceName } from "../lib/naming";
import { SubjectRules, parseSubject } from "../lib/subjects";
import { GITHUB_NAME_PATTERN, reservedNames } from "../lib/variables";
import { COMMON_DEFAULTS, STAGE_DEFAULTS } from "./defaults";
import { CONFIG_KEY_PATTERN, NAME_PATTERN } from "./schema";

/** The project name: config keys are `delivery:<key>`. */
export const PROJECT = "delivery";

export type Raw = Record<string, unknown>;
export const isObject = (v: unknown): v is Raw =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const entries = (v: unknown): [string, unknown][] => (isObject(v) ? Object.entries(v) : []);
const obj = (v: unknown): Raw => (isObject(v) ? v : {});
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** Top-level `delivery:` keys of the schema; config-sourced secret values may not reuse them. */
export const RESERVED_KEYS = [
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
  "roles",
  "adopt",
  "fallback",
];

/** Secrets Manager names: letters, digits and /_+=.@- . */
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** Variable names whose values are secrets; they must come from secrets, not plain config. */
export const SECRET_LIKE_VARIABLE =
  /(^|_)(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)$|^DATABASE_URL$|_DSN$/i;

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

/** What the checks know beyond `delivery:*`. */
export interface CheckContext {
  readonly stage: StageName;
  readonly stack: string;
  readonly owner: string | undefined;
  /** The whole config map and which keys are secret. */
  readonly values: Readonly<Record<string, string>>;
  readonly secretKeys: ReadonlySet<string>;
}

/** A config key that holds an encrypted value, and who refers to it. */
export interface SecretValueRef {
  /** Where the reference is, e.g. `delivery:secrets.database-url.key`. */
  readonly referencedAt: string;
  /** What the value is for, e.g. `secret "database-url"`. */
  readonly label: string;
  /** Key without the `delivery:` prefix, e.g. `databaseUrl`. */
  readonly key: string;
}

/** Every `source: config` reference: runtime secrets and GitHub environment secrets. */
export function secretValueRefs(raw: Raw): SecretValueRef[] {
  const refs: SecretValueRef[] = [];
  for (const [name, decl] of entries(raw.secrets)) {
    const d = obj(decl);
    if (d.source === "config" && typeof d.key === "string") {
      refs.push({
        referencedAt: `${PROJECT}:secrets.${name}.key`,
        label: `secret "${name}"`,
        key: d.key,
      });
    }
  }
  for (const [name, decl] of entries(obj(raw.github).secrets)) {
    const d = obj(decl);
    if (d.source === "config" && typeof d.key === "string") {
      refs.push({
        referencedAt: `${PROJECT}:github.secrets.${name}.key`,
        label: `GitHub secret ${name}`,
        key: d.key,
      });
    }
  }
  return refs;
}

/** All cross-key checks, in config order. */
export function crossChecks(raw: Raw, ctx: CheckContext): string[] {
  return [
    ...checkServices(raw),
    ...checkSecrets(raw, ctx),
    ...checkSecretValues(raw, ctx),
    ...checkStageRules(raw, ctx.stage),
    ...checkOidc(raw),
    ...checkGithub(raw, ctx),
    ...checkSubjects(raw, ctx),
    ...checkRoles(raw, ctx),
    ...checkAdopt(raw),
    ...checkEcs(raw),
    ...checkNameLengths(raw, ctx),
    ...checkFallback(raw, ctx),
  ];
}

/** Break-glass keys: off by default, never silently in prod, always watched. */
function checkFallback(raw: Raw, ctx: CheckContext): string[] {
  const fallback = obj(raw.fallback);
  if (fallback.enabled !== true) return [];
  const problems: string[] = [];
  if (ctx.stage === "prod" && fallback.allowInProd !== true) {
    problems.push(
      `${PROJECT}:fallback.enabled: long-lived access keys for prod are refused unless explicitly allowed. Fix: use OIDC (AWS_ROLE_ARN); if you must, also set delivery:fallback.allowInProd: true`,
    );
  }
  if (strings(fallback.alarmEmails).length === 0) {
    problems.push(
      `${PROJECT}:fallback.alarmEmails: nobody would hear when the break-glass keys are used. Fix: list at least one e-mail address`,
    );
  }
  if (obj(raw.github).manage === false) {
    problems.push(
      `${PROJECT}:fallback.enabled: the keys go only to the GitHub environment's secrets, which this stack does not manage. Fix: set delivery:github.manage: true or disable the fallback`,
    );
  }
  return problems;
}

/**
 * A role that reads no secrets and pushes to no repository: the only kind that may trust pull
 * requests. One rule for the raw config (checks) and the validated one (stage build).
 */
export const grantsReadOnly = (
  readSecrets: readonly unknown[],
  pushRepositories: readonly unknown[],
): boolean => readSecrets.length === 0 && pushRepositories.length === 0;

/** IAM role names are at most 64 characters: `<app>-<stack>-<service>-execution` must fit. */
function checkNameLengths(raw: Raw, ctx: CheckContext): string[] {
  const app = raw.app;
  if (typeof app !== "string") return [];
  const problems: string[] = [];
  const longest = (names: string[], suffix: string) =>
    names.filter((n) => resourceName(app, ctx.stack, n + suffix).length > IAM_ROLE_NAME_MAX);
  for (const svc of longest(
    entries(raw.services).map(([k]) => k),
    "-execution",
  )) {
    problems.push(
      `${PROJECT}:services.${svc}: the role name ${resourceName(app, ctx.stack, `${svc}-execution`)} is over ${IAM_ROLE_NAME_MAX} characters. Fix: shorten the service name, delivery:app or the stack name`,
    );
  }
  for (const role of longest(
    entries(raw.roles).map(([k]) => k),
    "",
  )) {
    problems.push(
      `${PROJECT}:roles.${role}: the role name is over ${IAM_ROLE_NAME_MAX} characters. Fix: shorten it`,
    );
  }
  return problems;
}

function checkServices(raw: Raw): string[] {
  const problems: string[] = [];
  const declared = new Set(entries(raw.secrets).map(([k]) => k));
  const services = entries(raw.services);
  if (isObject(raw.services) && services.length === 0) {
    problems.push(
      `${PROJECT}:services: no services. Fix: declare at least one, e.g. backend: { port: 5000, healthCheckPath: /api/health }`,
    );
  }
  const imageOwner = obj(raw.ecs).imageOwner ?? COMMON_DEFAULTS.imageOwner;
  for (const [svc, value] of services) {
    const key = `${PROJECT}:services.${svc}`;
    if (!NAME_PATTERN.test(svc) || svc.length > 24) {
      problems.push(
        `${key}: service name "${svc}" must be lowercase letters, digits and "-" (at most 24, starting with a letter). Fix: e.g. "backend"`,
      );
    }
    if (!isObject(value)) continue;
    const cpu = value.cpu ?? COMMON_DEFAULTS.cpu;
    const memory = value.memory ?? COMMON_DEFAULTS.memory;
    if (typeof cpu === "number" && typeof memory === "number") {
      const problem = fargateSizeProblem(cpu, memory);
      if (problem) problems.push(`${key}.${FARGATE_SIZES.has(cpu) ? "memory" : "cpu"}: ${problem}`);
    }
    for (const [variable, ref] of entries(value.secrets)) {
      const name = typeof ref === "string" ? ref : obj(ref).secret;
      if (typeof name === "string" && !declared.has(name)) {
        const known = declared.size ? ` or use one of ${[...declared].join(", ")}` : "";
        problems.push(
          `${key}.secrets.${variable}: secret "${name}" is not declared. Fix: add it under delivery:secrets${known}`,
        );
      }
      const source = obj(obj(raw.secrets)[String(name)]).source;
      if (obj(ref).jsonKey !== undefined && source === "generated") {
        problems.push(
          `${key}.secrets.${variable}.jsonKey: secret "${String(name)}" is a generated password, not JSON, so ECS could not start the task. Fix: remove jsonKey`,
        );
      }
      if (isObject(value.environment) && Object.hasOwn(value.environment, variable)) {
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
    const ecs = obj(raw.ecs);
    if (
      value.existingServiceName !== undefined &&
      (ecs.cluster === undefined || ecs.network === undefined)
    ) {
      problems.push(
        `${key}.existingServiceName: needs the stage's cluster and network, or CI could not be granted the service. Fix: set delivery:ecs.cluster.existingName and delivery:ecs.network`,
      );
    }
  }
  return problems;
}

function recoveryProblem(key: string, days: number, stage: StageName): string {
  const min = STAGE_DEFAULTS[stage].minSecretRecoveryWindowDays;
  return `${key}: ${days} days is below ${stage}'s minimum of ${min}; a deleted secret could not be restored. Fix: use ${min} to 30`;
}

function checkSecrets(raw: Raw, ctx: CheckContext): string[] {
  const problems: string[] = [];
  const min = STAGE_DEFAULTS[ctx.stage].minSecretRecoveryWindowDays;
  for (const [secret, decl] of entries(raw.secrets)) {
    const key = `${PROJECT}:secrets.${secret}`;
    if (!NAME_PATTERN.test(secret) || secret.length > 64) {
      problems.push(
        `${key}: secret name "${secret}" must be lowercase letters, digits and "-". Fix: e.g. "jwt-secret"`,
      );
    }
    const d = obj(decl);
    if (typeof d.name === "string" && !SECRET_NAME_PATTERN.test(d.name)) {
      problems.push(
        `${key}.name: "${d.name}" is not a Secrets Manager name (letters, digits, /_+=.@-). Fix: e.g. "shop/prod/jwt-secret"`,
      );
    }
    if (typeof d.recoveryWindowDays === "number" && d.recoveryWindowDays < min) {
      problems.push(recoveryProblem(`${key}.recoveryWindowDays`, d.recoveryWindowDays, ctx.stage));
    }
  }
  const window = obj(raw.secretSettings).recoveryWindowDays;
  if (typeof window === "number" && window < min) {
    problems.push(
      recoveryProblem(`${PROJECT}:secretSettings.recoveryWindowDays`, window, ctx.stage),
    );
  }
  return problems;
}

/** Encrypted config values must exist and be encrypted; the command to fix it is named. */
function checkSecretValues(raw: Raw, ctx: CheckContext): string[] {
  const problems: string[] = [];
  // A key that is not a key name is reported by the schema; it may even be a pasted secret.
  for (const ref of secretValueRefs(raw).filter((r) => CONFIG_KEY_PATTERN.test(r.key))) {
    const full = `${PROJECT}:${ref.key}`;
    const command = `pulumi config set --secret ${full} <value> --stack ${ctx.stack}`;
    if (RESERVED_KEYS.includes(ref.key)) {
      problems.push(
        `${ref.referencedAt}: "${ref.key}" is a reserved config key. Fix: pick another key, e.g. "${ref.key}Value"`,
      );
    } else if (ctx.values[full] === undefined) {
      problems.push(`${full}: the value of ${ref.label} is not set. Fix: ${command}`);
    } else if (!ctx.secretKeys.has(full)) {
      problems.push(
        `${full}: holds ${ref.label} in plain text in the stack file. Fix: ${command} (this replaces it with an encrypted value)`,
      );
    }
  }
  return problems;
}

/** Prod is stricter than staging. */
function checkStageRules(raw: Raw, stage: StageName): string[] {
  const problems: string[] = [];
  const d = STAGE_DEFAULTS[stage];
  const ecr = obj(raw.ecr);
  if (stage === "prod" && ecr.imageTagMutability === "MUTABLE") {
    problems.push(
      `${PROJECT}:ecr.imageTagMutability: prod image tags must be immutable, so a deployed tag always means the same image. Fix: remove it or set IMMUTABLE`,
    );
  }
  if (stage === "prod" && ecr.scanOnPush === false) {
    problems.push(
      `${PROJECT}:ecr.scanOnPush: prod images must be scanned on push (Security Hub ECR.1). Fix: remove it or set true`,
    );
  }
  for (const tag of PROGRAM_TAG_KEYS) {
    if (Object.hasOwn(obj(raw.tags), tag)) {
      problems.push(`${PROJECT}:tags.${tag}: set by the program on every resource. Fix: remove it`);
    }
  }
  if (!d.allowForceDelete && ecr.forceDelete === true) {
    problems.push(
      `${PROJECT}:ecr.forceDelete: would let a destroy delete prod's images. Fix: remove it (only staging may force-delete)`,
    );
  }
  return problems;
}

function checkOidc(raw: Raw): string[] {
  const oidc = obj(raw.oidc);
  if (oidc.mode === "create" && oidc.arn !== undefined) {
    return [
      `${PROJECT}:oidc.arn: only used with mode "existing". Fix: remove arn, or set mode: existing`,
    ];
  }
  return [];
}

function checkGithub(raw: Raw, ctx: CheckContext): string[] {
  const problems: string[] = [];
  const d = STAGE_DEFAULTS[ctx.stage];
  const github = obj(raw.github);
  const at = `${PROJECT}:github`;

  const branches = Array.isArray(github.deployBranches) ? github.deployBranches : d.deployBranches;
  const tags = Array.isArray(github.deployTags) ? github.deployTags : [];
  if (branches.length + tags.length === 0) {
    problems.push(
      `${at}.deployTags: the ${ctx.stage} environment admits no branch or tag, so nothing could deploy. Fix: list tag patterns (e.g. "backend-v*") or branches in deployBranches`,
    );
  }
  strings(branches).forEach((ref, i) => {
    if (ref.startsWith("refs/") || ref.includes(":")) {
      problems.push(
        `${at}.deployBranches[${i}]: "${ref}" must be a branch name or pattern, not a ref. Fix: e.g. "main"`,
      );
    }
  });
  strings(tags).forEach((ref, i) => {
    if (ref.startsWith("refs/") || ref.includes(":")) {
      problems.push(
        `${at}.deployTags[${i}]: "${ref}" must be a tag name or pattern, not a ref. Fix: e.g. "backend-v*"`,
      );
    }
  });
  if (github.manage === false) {
    for (const [key, on] of [
      ["subjectClaims.manage", obj(github.subjectClaims).manage === true],
      ["commitWorkflows", github.commitWorkflows === true],
    ] as const) {
      if (on) {
        problems.push(
          `${at}.${key}: has no effect while delivery:github.manage is false. Fix: remove it, or set manage: true`,
        );
      }
    }
  }
  const environment =
    typeof github.environment === "string" ? github.environment : d.githubEnvironment;
  if (environment.toLowerCase() === d.otherStageEnvironment) {
    problems.push(
      `${at}.environment: "${environment}" is the other stage's environment. Fix: use "${d.githubEnvironment}"`,
    );
  }

  // Protection: prod needs a reviewer unless explicitly waived.
  const protection = obj(github.protection);
  const reviewers = obj(protection.reviewers);
  const reviewerCount = strings(reviewers.users).length + strings(reviewers.teams).length;
  const requireReviewers = protection.requireReviewers ?? d.requireReviewers;
  if (requireReviewers === true && reviewerCount === 0) {
    problems.push(
      `${at}.protection.reviewers: the ${environment} environment needs at least one required reviewer, so nobody deploys ${ctx.stage} alone. Fix: list GitHub users (logins) or teams (slugs), or waive it with requireReviewers: false`,
    );
  }
  if (reviewerCount > 6) {
    problems.push(
      `${at}.protection.reviewers: GitHub allows at most 6 required reviewers, got ${reviewerCount}. Fix: use a team`,
    );
  }

  // Subject format.
  const immutable = github.subjectFormat === "immutable";
  const claims = obj(github.subjectClaims);
  const keys = strings(claims.includeClaimKeys);
  const needsIds =
    immutable || keys.includes("repository_id") || keys.includes("repository_owner_id");
  if (needsIds) {
    const why = immutable ? "subjectFormat immutable" : "the claim keys";
    if (github.ownerId === undefined) {
      problems.push(
        `${at}.ownerId: needed by ${why}. Fix: set it to \`gh api repos/OWNER/REPO --jq .owner.id\``,
      );
    }
    if (github.repositoryId === undefined) {
      problems.push(
        `${at}.repositoryId: needed by ${why}. Fix: set it to \`gh api repos/OWNER/REPO --jq .id\``,
      );
    }
  }
  if (keys.length > 0) {
    const where = `${at}.subjectClaims.includeClaimKeys`;
    if (keys[keys.length - 1] !== "context" || keys.indexOf("context") !== keys.length - 1) {
      problems.push(
        `${where}: "context" must appear once, last, so trust policies can tell environments apart and a pattern never spans another claim. Fix: e.g. [repo, context]`,
      );
    }
    if (new Set(keys).size !== keys.length)
      problems.push(`${where}: lists a key twice. Fix: list each key once`);
    if (!keys.some((k) => k === "repo" || k === "repository" || k === "repository_id")) {
      problems.push(
        `${where}: names no repository, so any repository's token with the same context would match. Fix: include "repo", "repository" or "repository_id"`,
      );
    }
  }

  // Environment secrets and variables.
  const reserved = reservedNames(entries(raw.services).map(([k]) => k));
  /** A GitHub secret or variable name that GitHub refuses or that the program writes itself. */
  const nameProblem = (kind: "secrets" | "variables", name: string, example: string) =>
    !GITHUB_NAME_PATTERN.test(name)
      ? `${at}.${kind}.${name}: not a GitHub ${kind.slice(0, -1)} name (letters, digits, _; not GITHUB_). Fix: e.g. ${example}`
      : reserved.has(name.toUpperCase())
        ? `${at}.${kind}.${name}: written by the program from the real resources. Fix: remove it`
        : undefined;
  for (const [name] of entries(github.secrets)) {
    const problem = nameProblem("secrets", name, "DATABASE_URL");
    if (problem) problems.push(problem);
  }
  for (const [name] of entries(github.variables)) {
    const problem = nameProblem("variables", name, "APP_URL");
    if (problem) {
      problems.push(problem);
    } else if (SECRET_LIKE_VARIABLE.test(name)) {
      problems.push(
        `${at}.variables.${name}: looks like a secret, and variables are readable by anyone with repository access. Fix: move it to delivery:github.secrets`,
      );
    }
    if (isObject(github.secrets) && Object.hasOwn(github.secrets, name)) {
      problems.push(`${at}.variables.${name}: also a secret. Fix: keep it only under secrets`);
    }
  }
  return problems;
}

/** The deploy role's extra subjects. */
function checkSubjects(raw: Raw, ctx: CheckContext): string[] {
  const github = obj(raw.github);
  const role = obj(raw.deployRole);
  if (!ctx.owner || typeof github.repository !== "string") return [];
  const repo = { owner: ctx.owner, repository: github.repository };
  const rules = subjectRules(ctx.stage, role.allowSubjectPatterns === true, false);
  const problems: string[] = [];
  if (Array.isArray(role.subjects)) {
    role.subjects.forEach((s, i) => {
      if (typeof s !== "string") return;
      const result = parseSubject(s, repo, rules);
      if (!result.ok) problems.push(`${PROJECT}:deployRole.subjects[${i}]: ${result.problem}`);
    });
  }
  return problems;
}

/** Extra roles: names, subjects (pull requests only for read-only roles) and grants. */
function checkRoles(raw: Raw, ctx: CheckContext): string[] {
  const problems: string[] = [];
  const github = obj(raw.github);
  const secrets = new Set(entries(raw.secrets).map(([k]) => k));
  const services = new Set(entries(raw.services).map(([k]) => k));
  for (const [name, value] of entries(raw.roles)) {
    const key = `${PROJECT}:roles.${name}`;
    if (!NAME_PATTERN.test(name) || name.length > 24 || name === "deploy") {
      problems.push(
        `${key}: role name "${name}" must be lowercase letters, digits and "-" (at most 24) and not "deploy". Fix: e.g. "preview"`,
      );
    }
    const role = obj(value);
    const grants = obj(role.grants);
    const readSecrets = strings(grants.readSecrets);
    const push = strings(grants.pushRepositories);
    readSecrets.forEach((s, i) => {
      if (!secrets.has(s))
        problems.push(
          `${key}.grants.readSecrets[${i}]: secret "${s}" is not declared. Fix: add it under delivery:secrets`,
        );
    });
    push.forEach((s, i) => {
      if (!services.has(s))
        problems.push(
          `${key}.grants.pushRepositories[${i}]: service "${s}" is not declared. Fix: use one of ${[...services].join(", ")}`,
        );
    });
    if (
      isObject(role.grants) &&
      readSecrets.length === 0 &&
      push.length === 0 &&
      grants.previewReadOnly !== true
    ) {
      problems.push(
        `${key}.grants: grants nothing. Fix: set readSecrets, pushRepositories or previewReadOnly: true`,
      );
    }
    const readOnly = grantsReadOnly(readSecrets, push);
    const repository = typeof role.repository === "string" ? role.repository : github.repository;
    const ownRepo = typeof role.repository === "string" && role.repository !== github.repository;
    const format = role.subjectFormat ?? github.subjectFormat;
    if (ownRepo && format === "immutable" && role.repositoryId === undefined) {
      problems.push(
        `${key}.repositoryId: needed because subjectFormat is immutable and this role trusts ${String(role.repository)}. Fix: set it to \`gh api repos/OWNER/${String(role.repository)} --jq .id\``,
      );
    }
    if (ownRepo && format === "immutable" && github.ownerId === undefined) {
      problems.push(
        `${PROJECT}:github.ownerId: needed by roles.${name}'s immutable subjects. Fix: set it to \`gh api repos/OWNER/REPO --jq .owner.id\``,
      );
    }
    if (!ownRepo && role.subjectFormat !== undefined) {
      problems.push(
        `${key}.subjectFormat: this role trusts the app repository, whose format is delivery:github.subjectFormat. Fix: remove it`,
      );
    }
    if (ctx.owner && typeof repository === "string") {
      const rules = subjectRules(ctx.stage, role.allowSubjectPatterns === true, readOnly);
      strings(role.subjects).forEach((s, i) => {
        const result = parseSubject(s, { owner: ctx.owner as string, repository }, rules);
        if (!result.ok) problems.push(`${key}.subjects[${i}]: ${result.problem}`);
      });
    }
  }
  return problems;
}

/** Adoption ids must refer to things this stack declares. */
function checkAdopt(raw: Raw): string[] {
  const problems: string[] = [];
  const adopt = obj(raw.adopt);
  const at = `${PROJECT}:adopt`;
  const services = obj(raw.services);
  const secrets = obj(raw.secrets);
  for (const [section, known, what] of [
    ["repositories", services, "service"],
    ["logGroups", services, "service"],
    ["secrets", secrets, "secret"],
  ] as const) {
    for (const [name, id] of entries(adopt[section])) {
      if (!Object.hasOwn(known, name)) {
        problems.push(
          `${at}.${section}.${name}: no ${what} "${name}" is declared. Fix: use one of ${Object.keys(known).join(", ")}`,
        );
      }
      const svc = obj(services[name]);
      if (
        section === "repositories" &&
        typeof svc.repositoryName === "string" &&
        svc.repositoryName !== id
      ) {
        problems.push(
          `${at}.repositories.${name}: adopts "${String(id)}" but services.${name}.repositoryName is "${svc.repositoryName}". Fix: remove repositoryName`,
        );
      }
      const sec = obj(secrets[name]);
      if (
        section === "secrets" &&
        typeof sec.name === "string" &&
        typeof id === "string" &&
        !id.includes(`:secret:${sec.name}-`)
      ) {
        problems.push(
          `${at}.secrets.${name}: the ARN does not belong to secrets.${name}.name "${sec.name}". Fix: remove name; it is taken from the ARN`,
        );
      }
    }
  }
  if (adopt.oidcProvider !== undefined && obj(raw.oidc).mode !== "create") {
    problems.push(
      `${at}.oidcProvider: only a stack that manages the provider adopts it. Fix: set delivery:oidc.mode: create, or remove this`,
    );
  }
  const cluster = obj(obj(raw.ecs).cluster);
  if (adopt.cluster !== undefined && cluster.create !== true) {
    problems.push(
      `${at}.cluster: only a stack that manages the cluster adopts it. Fix: set delivery:ecs.cluster.create: true, or use existingName`,
    );
  }
  if (
    typeof adopt.cluster === "string" &&
    typeof cluster.name === "string" &&
    cluster.name !== adopt.cluster
  ) {
    problems.push(
      `${at}.cluster: adopts "${adopt.cluster}" but ecs.cluster.name is "${cluster.name}". Fix: remove ecs.cluster.name; it is taken from the adopted cluster`,
    );
  }
  for (const [name] of entries(adopt.secrets)) {
    if (obj(secrets[name]).source === "generated") {
      problems.push(
        `${at}.secrets.${name}: adopting a generated secret would replace its current value with a new random one. Fix: declare secrets.${name} with source: external (keeps the value) or source: config`,
      );
    }
  }
  return problems;
}

function checkEcs(raw: Raw): string[] {
  const ecs = obj(raw.ecs);
  if (ecs.network !== undefined && ecs.cluster === undefined) {
    return [
      `${PROJECT}:ecs.cluster: services need a cluster when delivery:ecs.network is set. Fix: add cluster: { create: true } or { existingName: <name> }`,
    ];
  }
  return [];
}
