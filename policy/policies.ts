/**
 * The product's security bar as Pulumi CrossGuard policies. They check what
 * the engine is about to create, so hand-written additions to the program are held to the same
 * bar as the components. `index.ts` serves them to the Pulumi CLI; `run.ts` runs the very same
 * validate functions over the offline plan's resources, without the CLI.
 *
 * Every violation message says what is wrong and ends with "Fix: ...". Messages never echo a
 * value that may be a secret.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ecr from "@pulumi/aws/ecr";
import * as ecs from "@pulumi/aws/ecs";
import * as iam from "@pulumi/aws/iam";
import {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyProviderResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { GITHUB_OIDC_HOST, STS_AUDIENCE } from "../lib/subjects";
import { adminClassReason } from "../lib/adminPolicies";
import { policyNameOf } from "../lib/arns";
import { credentialKind, isSecretLikeName } from "../lib/credentials";
import { isObject } from "../lib/json";
import { PROJECT } from "../stacks/project";

/** The pack's name, as `pulumi preview` prints it next to each violation. */
export const PACK_NAME = "delivery-guardrails";

/** The level a policy without its own level gets (the SDK's default for a pack). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

export type DeliveryPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Where the prod-only policies learn the stage when the resource itself does not say. */
export interface PolicyEnvironment {
  /** The stage of the stack being checked (`delivery:stage`, else the stack name), if known. */
  readonly stackStage?: () => string | undefined;
}

/**
 * The stage of the stack the Pulumi CLI runs the pack for. The CLI starts the pack process with
 * the stack's name and config in its environment (`PULUMI_NODEJS_STACK` / `PULUMI_STACK`,
 * `PULUMI_CONFIG`), the same way it starts the program. Read from the environment, not through
 * `pulumi.getStack()`, so a test process whose mocks name some other stack never leaks into it.
 */
export function stageFromProcessEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const config = JSON.parse(env.PULUMI_CONFIG ?? "{}") as Record<string, unknown>;
    const configured = config[`${PROJECT}:stage`];
    if (typeof configured === "string" && configured !== "") return configured;
  } catch {
    // Unreadable config: fall back to the stack name.
  }
  return env.PULUMI_NODEJS_STACK || env.PULUMI_STACK || undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading resource properties. Policy documents may be JSON text or objects; anything may be
// missing or of the wrong type in a hand-written resource, so nothing here trusts a shape.

type Json = Record<string, unknown>;
/** IAM's "string or list of strings". */
const list = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === "string") : [];
const WILDCARD = /[*?]/;

/** IAM's wildcard match, case-insensitive (action names are): `*` any run, `?` one character. */
function iamLike(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i").test(value);
}

/** Marks text that should have been JSON and is not. */
const NOT_JSON = Symbol("not JSON");

/** Providers take some inputs as JSON text or as objects: both come back as the value. */
function fromJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** The statements of a policy document given as JSON text or as an object. */
function statementsOf(document: unknown): { statements: Json[] } | { problem: string } {
  const doc = fromJson(document);
  if (doc === NOT_JSON) return { problem: "is not valid JSON" };
  if (!isObject(doc)) return { problem: "is not a policy document" };
  const statement = doc.Statement;
  if (statement === undefined) return { statements: [] };
  const statements = Array.isArray(statement) ? statement : [statement];
  if (!statements.every(isObject)) return { problem: "has a statement that is not an object" };
  return { statements };
}

const sidOf = (s: Json, i: number) =>
  typeof s.Sid === "string" && s.Sid !== "" ? `statement "${s.Sid}"` : `statement #${i + 1}`;

/** Operators under which a condition key restricts who matches (absent key: no match). */
const RESTRICTING_OPERATORS = new Set([
  "stringequals",
  "stringlike",
  "foranyvalue:stringequals",
  "foranyvalue:stringlike",
]);

/** Values of condition keys accepted by `key`, under the operators accepted by `operator`. */
function conditionValues(
  statement: Json,
  operator: (op: string) => boolean,
  key: (k: string) => boolean,
): string[] | undefined {
  const condition = statement.Condition;
  if (!isObject(condition)) return undefined;
  let found: string[] | undefined;
  for (const [op, entries] of Object.entries(condition)) {
    if (!operator(op.toLowerCase()) || !isObject(entries)) continue;
    for (const [k, v] of Object.entries(entries)) {
      if (key(k.toLowerCase())) found = [...(found ?? []), ...list(v)];
    }
  }
  return found;
}

/** Tags as a plain map (tags may be absent, or JSON text on provider resources). */
function tagMap(tags: unknown): Json | undefined {
  const value = fromJson(tags);
  return isObject(value) ? value : undefined;
}

function stageTag(tags: unknown): string | undefined {
  const map = tagMap(tags);
  if (!map) return undefined;
  const key = Object.keys(map).find((k) => k.toLowerCase() === "stage");
  const value = key === undefined ? undefined : map[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// The stage of a resource, for the prod-only policies.

/** Config of the prod-only policies (`--policy-pack-config`). */
interface StageSettings {
  readonly stage?: string;
  readonly prodStages?: readonly string[];
}

const STAGE_CONFIG_SCHEMA: PolicyConfigSchema = {
  properties: {
    stage: {
      type: "string",
      description:
        "The stage of the stack being checked. Unset: the resource's `stage` tag, then the AWS provider's defaultTags, then delivery:stage or the stack name; unknown counts as prod.",
    },
    prodStages: {
      type: "array",
      items: { type: "string" },
      default: ["prod"],
      description: "Stages held to the prod rules.",
    },
  },
};

interface StageVerdict {
  readonly prod: boolean;
  /** How the message names the stage and where it came from. */
  readonly label: string;
}

/**
 * Which stage a resource belongs to. The program tags every AWS resource through the provider's
 * `defaultTags`, so a resource's own `tags` are usually empty; the provider's tags (which the CLI
 * passes with each resource) and then the stack itself are the fallbacks. A resource whose stage
 * nobody states is held to the prod rules: failing closed is the safe side of a security bar.
 */
function judgeStage(
  settings: StageSettings,
  props: Json,
  provider: PolicyProviderResource | undefined,
  environment: PolicyEnvironment,
): StageVerdict {
  // Provider inputs arrive as JSON text for nested values (`defaultTags: "{\"tags\":{...}}"`).
  const providerTags = tagMap(provider?.props.defaultTags)?.tags;
  const sources: [string | undefined, string][] = [
    [settings.stage || undefined, "this policy's config"],
    [stageTag(props.tags) ?? stageTag(props.tagsAll), "the resource's stage tag"],
    [stageTag(providerTags), "the AWS provider's defaultTags"],
    [environment.stackStage?.(), "the stack"],
  ];
  const prodStages = settings.prodStages ?? ["prod"];
  const found = sources.find(([stage]) => stage !== undefined);
  if (!found || found[0] === undefined) {
    return {
      prod: true,
      label:
        'stage unknown (no stage tag, provider defaultTags or stack stage), so held to the prod rules; if this is not prod, tag it or set this policy\'s "stage" config',
    };
  }
  return { prod: prodStages.includes(found[0]), label: `stage "${found[0]}" from ${found[1]}` };
}

// ---------------------------------------------------------------------------------------------
// GitHub OIDC trust.

/** Kinds of the `context` claim, which GitHub always writes last. */
const CONTEXT_KINDS = new Set(["environment", "ref", "pull_request"]);
const GITHUB_NAME = "[A-Za-z0-9_.-]+";
const REPO_CLAIM = new RegExp(`^${GITHUB_NAME}(@\\d+)?/${GITHUB_NAME}(@\\d+)?$`);
const REPOSITORY_CLAIM = new RegExp(`^${GITHUB_NAME}/${GITHUB_NAME}$`);
const EXAMPLE_SUBJECT = "repo:<owner>/<repo>:environment:<name>";

/**
 * What is wrong with one `sub` value, or undefined. The value must name exactly one repository
 * with literal text: `repo:<owner>/<repo>:` (or `repo:<owner>@<id>/<repo>@<id>:` for immutable
 * subjects), or a customized claim template with a literal `repository:<owner>/<repo>` or
 * `repository_id:<id>` claim; and it must end in a context (environment, ref or pull_request). A
 * wildcard may only stand inside a branch or tag name, never in place of a repository, an
 * environment or the whole context.
 */
export function subjectProblem(sub: string): string | undefined {
  const shown = `sub "${sub}"`;
  if (sub.trim() === "" || /^[*?]+$/.test(sub.trim())) {
    return `${shown} admits every repository on GitHub. Fix: name one repository, e.g. "${EXAMPLE_SUBJECT}"`;
  }
  const tokens = sub.split(":");
  const claims = new Map<string, string>();
  let context: string | undefined;
  for (let i = 0; i < tokens.length; i += 2) {
    const key = tokens[i];
    if (CONTEXT_KINDS.has(key) || WILDCARD.test(key)) {
      context = tokens.slice(i).join(":");
      break;
    }
    if (i + 1 >= tokens.length) {
      return `${shown} ends in claim "${key}" without a value, so it names no repository and context GitHub would issue. Fix: write "${EXAMPLE_SUBJECT}"`;
    }
    claims.set(key, tokens[i + 1]);
  }
  for (const [key, value] of claims) {
    if (WILDCARD.test(value)) {
      const example =
        key === "repo"
          ? ` ("repo:acme/*" admits every repository of acme, "repo:acme/app*" also admits acme/app-evil)`
          : "";
      const admits = key.startsWith("repo") ? "other repositories" : "tokens nobody reviewed";
      return `${shown} has a wildcard in its ${key} claim, which admits ${admits}${example}. Fix: name one repository literally and use exact claims, e.g. "${EXAMPLE_SUBJECT}"`;
    }
  }
  const repo = claims.get("repo");
  const repository = claims.get("repository");
  const repositoryId = claims.get("repository_id");
  const named =
    (repo !== undefined && REPO_CLAIM.test(repo)) ||
    (repository !== undefined && REPOSITORY_CLAIM.test(repository)) ||
    (repositoryId !== undefined && /^\d+$/.test(repositoryId));
  if (!named) {
    return `${shown} names no single repository (no literal repo:<owner>/<repo>, repository:<owner>/<repo> or repository_id:<id> claim), so any repository's token with the same context matches. Fix: start it with "repo:<owner>/<repo>:", or include "repo" or "repository_id" in the subject claim template`;
  }
  if (context === undefined || context === "") {
    return `${shown} has no context (environment, ref or pull_request), so every workflow run of the repository matches, including pull requests. Fix: end it with e.g. ":environment:<name>" or ":ref:refs/heads/main"`;
  }
  // A pattern may only stand inside a branch or tag name: `ref:refs/tags/backend-v*`, or
  // `ref:refs/tags/*` for teams that deploy every release tag. Everywhere else it admits other
  // environments (the other stage's), every ref, or pull requests.
  if (WILDCARD.test(context) && !/^ref:refs\/(heads|tags)\/./.test(context)) {
    return `${shown} has a wildcard in its context "${context}", which admits other environments, refs or pull requests (e.g. the other stage's environment). Fix: list exact contexts such as "environment:production"; patterns only inside a branch or tag name, e.g. "ref:refs/tags/backend-v*"`;
  }
  return undefined;
}

/** Principals of a statement that federate through GitHub's OIDC issuer. */
function trustsGithub(statement: Json): boolean {
  const principal = statement.Principal;
  return isObject(principal) && list(principal.Federated).some((f) => f.includes(GITHUB_OIDC_HOST));
}

const githubClaim = (claim: "aud" | "sub") => (key: string) =>
  key.startsWith(GITHUB_OIDC_HOST) && key.endsWith(`:${claim}`);

/** Problems of a role's trust policy towards GitHub Actions; none for roles that do not trust it. */
function githubTrustProblems(trustPolicy: unknown): string[] {
  const parsed = statementsOf(trustPolicy);
  if ("problem" in parsed) {
    return [
      `the trust policy ${parsed.problem}, so who may assume the role cannot be checked. Fix: pass a JSON policy document (build it as an object and JSON.stringify it)`,
    ];
  }
  const problems: string[] = [];
  parsed.statements.forEach((s, i) => {
    if (s.Effect !== "Allow" || !trustsGithub(s)) return;
    const where = `trust ${sidOf(s, i)}`;
    const aud = conditionValues(s, (op) => op === "stringequals", githubClaim("aud"));
    if (!aud || aud.length === 0 || aud.some((v) => v !== STS_AUDIENCE)) {
      problems.push(
        `${where} does not require aud = ${STS_AUDIENCE} with StringEquals, so tokens GitHub minted for another audience are accepted. Fix: add "Condition": { "StringEquals": { "${GITHUB_OIDC_HOST}:aud": "${STS_AUDIENCE}" } }`,
      );
    }
    const sub = conditionValues(s, (op) => RESTRICTING_OPERATORS.has(op), githubClaim("sub"));
    if (!sub || sub.length === 0) {
      problems.push(
        `${where} has no sub condition, so a workflow in any repository on GitHub can assume this role (CKV_AWS_358). Fix: add "StringEquals": { "${GITHUB_OIDC_HOST}:sub": "${EXAMPLE_SUBJECT}" }`,
      );
      return;
    }
    for (const value of sub) {
      const problem = subjectProblem(value);
      if (problem) problems.push(`${where}: ${problem}`);
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Permission policies.

/** Problems of one statement; `where` names the document and statement. */
type StatementCheck = (statement: Json, where: string) => string[];

/** Runs a statement check over every permission policy document a resource carries. */
function overPermissionPolicies(check: StatementCheck): ResourceValidation[] {
  const checkDocument = (what: string, document: unknown, report: ReportViolation) => {
    if (document === undefined) return;
    const parsed = statementsOf(document);
    if ("problem" in parsed) {
      report(
        `${what} ${parsed.problem}, so what it grants cannot be checked. Fix: pass a JSON policy document (build it as an object and JSON.stringify it)`,
      );
      return;
    }
    parsed.statements.forEach((s, i) => {
      for (const problem of check(s, `${what}, ${sidOf(s, i)}`)) report(problem);
    });
  };
  return [
    validateResourceOfType(iam.RolePolicy, (p, args, report) =>
      checkDocument(`role policy "${p.name ?? args.name}"`, p.policy, report),
    ),
    validateResourceOfType(iam.Policy, (p, args, report) =>
      checkDocument(`managed policy "${p.name ?? args.name}"`, p.policy, report),
    ),
    validateResourceOfType(iam.UserPolicy, (p, args, report) =>
      checkDocument(`user policy "${p.name ?? args.name}"`, p.policy, report),
    ),
    validateResourceOfType(iam.GroupPolicy, (p, args, report) =>
      checkDocument(`group policy "${p.name ?? args.name}"`, p.policy, report),
    ),
    validateResourceOfType(iam.Role, (role, args, report) => {
      const inline = Array.isArray(role.inlinePolicies) ? role.inlinePolicies : [];
      inline.forEach((p, i) => {
        const name = isObject(p) && typeof p.name === "string" ? `"${p.name}"` : `#${i + 1}`;
        checkDocument(
          `inline policy ${name} of role "${role.name ?? args.name}"`,
          isObject(p) ? p.policy : undefined,
          report,
        );
      });
    }),
  ];
}

const isWildcardAction = (action: string) => action === "*" || /^[^:]+:\*$/.test(action);

const wildcardActions: StatementCheck = (s, where) => {
  if (s.Effect !== "Allow") return [];
  const problems: string[] = [];
  const wild = list(s.Action).filter(isWildcardAction);
  if (wild.length > 0) {
    problems.push(
      `${where} allows ${wild.map((a) => `"${a}"`).join(", ")}: every action${wild.every((a) => a === "*") ? " of every service" : " of the service"}, including ones added later. Fix: list the exact actions the job needs (e.g. "ecr:PutImage", "ecs:UpdateService")`,
    );
  }
  if (s.NotAction !== undefined) {
    problems.push(
      `${where} is an Allow with NotAction, which grants every action except the listed ones. Fix: use Action with the exact actions needed`,
    );
  }
  return problems;
};

const grantsPassRole = (s: Json) => {
  if (list(s.Action).some((a) => iamLike(a, "iam:PassRole"))) return true;
  const not = list(s.NotAction);
  return s.NotAction !== undefined && !not.some((a) => iamLike(a, "iam:PassRole"));
};

/** A resource that stands for every role: `*`, any account, or every role name. */
const everyRole = (resource: string) =>
  resource === "*" || /^arn:[^:]*:iam::\*:/.test(resource) || /:role\/\*$/.test(resource);

const passRoleScoped: StatementCheck = (s, where) => {
  if (s.Effect !== "Allow" || !grantsPassRole(s)) return [];
  const problems: string[] = [];
  const resources = list(s.Resource);
  if (s.NotResource !== undefined || resources.length === 0 || resources.some(everyRole)) {
    problems.push(
      `${where} allows iam:PassRole on ${s.NotResource !== undefined ? "every role but the NotResource ones" : resources.length === 0 ? "no named resource" : "every role"}, which lets the holder hand any role (up to admin) to a service it controls: privilege escalation. Fix: set Resource to the exact role ARNs (the stage's task and execution roles)`,
    );
  }
  const passedTo = conditionValues(
    s,
    (op) => RESTRICTING_OPERATORS.has(op),
    (k) => k === "iam:passedtoservice",
  );
  if (!passedTo || passedTo.length === 0 || passedTo.some((v) => /^[*?]+$/.test(v))) {
    problems.push(
      `${where} allows iam:PassRole without an iam:PassedToService condition, so the roles can be passed to any service. Fix: add "Condition": { "StringEquals": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }`,
    );
  }
  return problems;
};

/** Admin-class AWS-managed policies (lib/adminPolicies.ts); the seed runbooks' "for now" mistake. */
const adminPolicyProblem = (arn: unknown, where: string): string[] => {
  const reason = typeof arn === "string" ? adminClassReason(arn) : undefined;
  return reason && typeof arn === "string"
    ? [
        `${where} attaches the AWS-managed ${policyNameOf(arn)} policy, which ${reason}. Fix: attach a policy with the exact actions the job needs (the product's roles get least-privilege policies)`,
      ]
    : [];
};

// ---------------------------------------------------------------------------------------------
// Task definitions.

interface Container {
  readonly name: string;
  readonly privileged: boolean;
  readonly environment: readonly { readonly name: string; readonly value: unknown }[];
}

/** The containers of a task definition's `containerDefinitions` JSON text. */
function containersOf(definitions: unknown): Container[] | undefined {
  const parsed = fromJson(definitions);
  if (!Array.isArray(parsed)) return undefined;
  return parsed.filter(isObject).map((c, i) => ({
    name: typeof c.name === "string" ? c.name : `#${i + 1}`,
    privileged: c.privileged === true,
    environment: (Array.isArray(c.environment) ? c.environment : [])
      .filter(isObject)
      .map((e) => ({ name: typeof e.name === "string" ? e.name : "", value: e.value })),
  }));
}

const unreadableContainers = (family: string) =>
  `task definition "${family}" has containerDefinitions that are not a JSON list of containers (a secret value inside them shows up in the offline plan as the masked text "[secret]"), so they cannot be checked. Fix: pass JSON.stringify of the container list, and pass secrets by ARN under secrets: [{ name, valueFrom }]`;

/** Runs a check over the containers of every task definition, naming the task's family. */
function overContainers(
  check: (family: string, containers: Container[], report: ReportViolation) => void,
): ResourceValidation {
  return validateResourceOfType(ecs.TaskDefinition, (td, args, report) => {
    const family = td.family ?? args.name;
    const containers = containersOf(td.containerDefinitions);
    if (!containers) return report(unreadableContainers(family));
    check(family, containers, report);
  });
}

// ---------------------------------------------------------------------------------------------
// The policies.

/** The pack's policies; `environment` tells the prod-only ones how to find the stack's stage. */
export function createPolicies(environment: PolicyEnvironment = {}): DeliveryPolicy[] {
  const prodOnly = (
    settings: StageSettings,
    props: Json,
    provider: PolicyProviderResource | undefined,
  ) => judgeStage(settings, props, provider, environment);

  const githubOidcTrust: ResourceValidationPolicy = {
    name: "github-oidc-trust",
    description:
      "Roles trusting GitHub Actions' OIDC provider require aud = sts.amazonaws.com and a sub condition that names one repository literally, with wildcards only inside a branch or tag name.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: validateResourceOfType(iam.Role, (role, args, report) => {
      for (const problem of githubTrustProblems(role.assumeRolePolicy)) {
        report(`role "${role.name ?? args.name}": ${problem}`);
      }
    }),
  };

  const noWildcardActions: ResourceValidationPolicy = {
    name: "iam-no-wildcard-actions",
    description:
      'No "*" or "<service>:*" action (and no Allow with NotAction) in any permission policy: role, user and group policies, managed policies and role inline policies.',
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: overPermissionPolicies(wildcardActions),
  };

  const noAdminManagedPolicies: ResourceValidationPolicy = {
    name: "iam-no-admin-managed-policies",
    description:
      "No AWS-managed AdministratorAccess, PowerUserAccess or IAMFullAccess attached to any role, user or group.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: [
      validateResourceOfType(iam.RolePolicyAttachment, (a, args, report) =>
        adminPolicyProblem(a.policyArn, `attachment "${args.name}"`).forEach((p) => report(p)),
      ),
      validateResourceOfType(iam.UserPolicyAttachment, (a, args, report) =>
        adminPolicyProblem(a.policyArn, `attachment "${args.name}"`).forEach((p) => report(p)),
      ),
      validateResourceOfType(iam.GroupPolicyAttachment, (a, args, report) =>
        adminPolicyProblem(a.policyArn, `attachment "${args.name}"`).forEach((p) => report(p)),
      ),
      validateResourceOfType(iam.PolicyAttachment, (a, args, report) =>
        adminPolicyProblem(a.policyArn, `attachment "${args.name}"`).forEach((p) => report(p)),
      ),
      validateResourceOfType(iam.Role, (role, args, report) => {
        const arns: unknown[] = Array.isArray(role.managedPolicyArns) ? role.managedPolicyArns : [];
        for (const arn of arns) {
          adminPolicyProblem(arn, `role "${role.name ?? args.name}" managedPolicyArns`).forEach(
            (p) => report(p),
          );
        }
      }),
    ],
  };

  const passRole: ResourceValidationPolicy = {
    name: "iam-passrole-scoped",
    description:
      "iam:PassRole only on named roles (never *) and only with an iam:PassedToService condition.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: overPermissionPolicies(passRoleScoped),
  };

  const noPrivileged: ResourceValidationPolicy = {
    name: "ecs-no-privileged-containers",
    description: "No container of a task definition runs privileged (Security Hub ECS.4).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: overContainers((family, containers, report) => {
      for (const c of containers.filter((x) => x.privileged)) {
        report(
          `task definition "${family}": container "${c.name}" is privileged, i.e. root on the host's kernel. Fix: remove privileged: true; add only the Linux capabilities the app needs under linuxParameters.capabilities.add`,
        );
      }
    }),
  };

  const noSecretsInEnvironment: ResourceValidationPolicy = {
    name: "ecs-no-secrets-in-environment",
    description:
      "No secrets in container environment variables (Security Hub ECS.8): no secret-looking names (*_KEY, *_SECRET, *_TOKEN, *_PASSWORD, DATABASE_URL, ...) and no credential-looking values.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: overContainers((family, containers, report) => {
      const fix = `Fix: store the value in Secrets Manager (delivery:secrets) and reference it under the service's secrets, which ECS injects from its ARN (secrets: [{ name, valueFrom }])`;
      for (const c of containers) {
        for (const e of c.environment) {
          const where = `task definition "${family}": container "${c.name}" environment variable ${e.name}`;
          if (isSecretLikeName(e.name)) {
            report(
              `${where} looks like a secret, and environment values are plain text in the task definition, readable by anyone who may describe it. ${fix}`,
            );
            continue;
          }
          const value = typeof e.value === "string" ? e.value : "";
          const credential = credentialKind(value);
          if (credential) {
            report(
              `${where} holds what looks like ${credential}, in plain text in the task definition. ${fix}`,
            );
          }
        }
      }
    }),
  };

  const logRetention: ResourceValidationPolicy = {
    name: "cloudwatch-log-retention",
    description: "CloudWatch log groups expire their events (retentionInDays > 0).",
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: validateResourceOfType(cloudwatch.LogGroup, (lg, args, report) => {
      const days = lg.retentionInDays;
      if (typeof days !== "number" || days <= 0) {
        report(
          `log group "${lg.name ?? args.name}" keeps its events forever (retentionInDays ${days === undefined ? "unset" : String(days)}), at a growing cost and with whatever the app logged. Fix: set retentionInDays, e.g. delivery:ecs.logRetentionDays: 30 (staging) or 90 (prod)`,
        );
      }
    }),
  };

  const immutableTags: ResourceValidationPolicy = {
    name: "ecr-prod-immutable-tags",
    description:
      "Prod ECR repositories have immutable tags (Security Hub ECR.2), so a deployed tag always names the same image.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: STAGE_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(ecr.Repository, (repo, args, report) => {
      const verdict = prodOnly(args.getConfig<StageSettings>(), args.props, args.provider);
      if (!verdict.prod || repo.imageTagMutability === "IMMUTABLE") return;
      report(
        `ECR repository "${repo.name ?? args.name}" (${verdict.label}) has ${repo.imageTagMutability ?? "MUTABLE (the default)"} image tags, so a pushed tag can be overwritten and prod could run an image nobody reviewed. Fix: set imageTagMutability: "IMMUTABLE" (delivery:ecr.imageTagMutability: IMMUTABLE)`,
      );
    }),
  };

  const scanOnPush: ResourceValidationPolicy = {
    name: "ecr-prod-scan-on-push",
    description: "Prod ECR repositories scan images on push (Security Hub ECR.1).",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: STAGE_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(ecr.Repository, (repo, args, report) => {
      const verdict = prodOnly(args.getConfig<StageSettings>(), args.props, args.provider);
      if (!verdict.prod || repo.imageScanningConfiguration?.scanOnPush === true) return;
      report(
        `ECR repository "${repo.name ?? args.name}" (${verdict.label}) does not scan images on push, so known vulnerabilities reach prod unnoticed. Fix: set imageScanningConfiguration: { scanOnPush: true } (or turn on registry-level enhanced scanning and set this policy's enforcementLevel to disabled)`,
      );
    }),
  };

  const lifecycle: StackValidationPolicy = {
    name: "ecr-prod-lifecycle-policy",
    description:
      "Every prod ECR repository has a lifecycle policy (Security Hub ECR.3), so untagged and old images expire.",
    enforcementLevel: "advisory",
    severity: "low",
    configSchema: STAGE_CONFIG_SCHEMA,
    validateStack: (args, report) => {
      const settings = args.getConfig<StageSettings>();
      const covered = new Set(
        args.resources
          .filter((r) => r.isType(ecr.LifecyclePolicy))
          .map((r) => (r.props as Json).repository)
          .filter((name): name is string => typeof name === "string"),
      );
      for (const repo of args.resources.filter((r) => r.isType(ecr.Repository))) {
        const props = repo.props as Json;
        const name = typeof props.name === "string" ? props.name : repo.name;
        const verdict = prodOnly(settings, props, repo.provider);
        if (!verdict.prod || covered.has(name)) continue;
        report(
          `ECR repository "${name}" (${verdict.label}) has no lifecycle policy, so untagged and superseded images pile up at a cost forever. Fix: add an ecr.LifecyclePolicy with repository: the repository's name (the product's EcrRepository adds one: expire untagged after delivery:ecr.untaggedExpiryDays, keep delivery:ecr.keepLastImages)`,
          repo.urn,
        );
      }
    },
  };

  return [
    githubOidcTrust,
    noWildcardActions,
    noAdminManagedPolicies,
    passRole,
    noPrivileged,
    noSecretsInEnvironment,
    logRetention,
    immutableTags,
    scanOnPush,
    lifecycle,
  ];
}

/** The pack as the CLI runs it: the stack's stage comes from the pack process's environment. */
export const policies: DeliveryPolicy[] = createPolicies({ stackStage: stageFromProcessEnv });
