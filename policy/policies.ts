/**
 * The product's security bar as Pulumi CrossGuard policies. They check what
 * the engine is about to create, so hand-written additions to the program are held to the same
 * bar as the components. `index.ts` serves them to the Pulumi CLI; `run.ts` runs the very same
 * validate functions over the offline plan's resources, without the CLI.
 *
 * Every violation message says what is wrong and ends with "Fix: ...". Messages never echo a
 * value that may be a secret (nor any stack config value: the CLI passes secrets decrypted).
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ecr from "@pulumi/aws/ecr";
import * as ecs from "@pulumi/aws/ecs";
import * as iam from "@pulumi/aws/iam";
import { Key as KmsKey } from "@pulumi/aws/kms/key";
import { KeyPolicy as KmsKeyPolicy } from "@pulumi/aws/kms/keyPolicy";
import { BucketPolicy } from "@pulumi/aws/s3/bucketPolicy";
import { Secret } from "@pulumi/aws/secretsmanager/secret";
import { SecretPolicy } from "@pulumi/aws/secretsmanager/secretPolicy";
import { Topic } from "@pulumi/aws/sns/topic";
import { TopicPolicy } from "@pulumi/aws/sns/topicPolicy";
import { Queue } from "@pulumi/aws/sqs/queue";
import { QueuePolicy } from "@pulumi/aws/sqs/queuePolicy";
import {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { GITHUB_OIDC_HOST } from "../lib/subjects";
import { adminClassReason } from "../lib/adminPolicies";
import { policyNameOf } from "../lib/arns";
import { credentialKind, isSecretLikeName } from "../lib/credentials";
import { isObject } from "../lib/json";
import { PROJECT } from "../stacks/project";
import type { Waivers } from "../stacks/schema";
import { EXPOSED_ROLE_FIX } from "../stacks/rules/exposedRoles";
import {
  Json,
  RESTRICTING_OPERATORS,
  StackConfig,
  WILDCARD,
  configValue,
  conditionValues,
  fromJson,
  grantsAction,
  iamLike,
  list,
  sidOf,
  statementsOf,
  wildcardOnly,
} from "./read";
import { RoleView, environmentOf, environmentsOf, rolesOf } from "./stack";
import {
  Admission,
  EXAMPLE_SUBJECT,
  describeAdmission,
  githubTrustProblems,
  isGithubProviderArn,
} from "./trust";

export { subjectProblem } from "./trust";

/** The pack's name, as `pulumi preview` prints it next to each violation. */
export const PACK_NAME = "delivery-guardrails";

/** The level a policy without its own level gets (the SDK's default for a pack). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

export type DeliveryPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** What the pack learns from the stack it checks, rather than from the resources. */
export interface PolicyEnvironment {
  /** The stage of the stack being checked (`delivery:stage`, else the stack name), if known. */
  readonly stackStage?: () => string | undefined;
  /** The stack's config (`PULUMI_CONFIG`): waivers, `github:owner`, the repository's ids. */
  readonly stackConfig?: () => StackConfig | undefined;
  /** The stack's name, if known: the one tag a prod repository may let move (`ecr.stageTag`). */
  readonly stackName?: () => string | undefined;
}

/**
 * The stack's config as the Pulumi CLI passes it to the pack process: `PULUMI_CONFIG`, the same
 * JSON map of `<namespace>:<key>` to text it gives the program. Unreadable config: none.
 */
export function configFromProcessEnv(env: NodeJS.ProcessEnv = process.env): StackConfig {
  try {
    const parsed = JSON.parse(env.PULUMI_CONFIG ?? "{}") as unknown;
    if (!isObject(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
  } catch {
    return {};
  }
}

/** The stage a stack config names (`delivery:stage`), else the stack's name. */
export function stageFromConfig(config: StackConfig, stack?: string): string | undefined {
  const configured = config[`${PROJECT}:stage`];
  if (typeof configured === "string" && configured !== "") return configured;
  return stack || undefined;
}

/**
 * The stage of the stack the Pulumi CLI runs the pack for. The CLI starts the pack process with
 * the stack's name and config in its environment (`PULUMI_NODEJS_STACK` / `PULUMI_STACK`,
 * `PULUMI_CONFIG`), the same way it starts the program. Read from the environment, not through
 * `pulumi.getStack()`, so a test process whose mocks name some other stack never leaks into it.
 */
export function stackFromProcessEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.PULUMI_NODEJS_STACK || env.PULUMI_STACK || undefined;
}

/** The stage of the stack the Pulumi CLI runs the pack for (see {@link stackFromProcessEnv}). */
export function stageFromProcessEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return stageFromConfig(configFromProcessEnv(env), stackFromProcessEnv(env));
}

/** Whether the stack config carries this waiver with a reason (as the config schema asks). */
function waived(config: StackConfig, waiver: keyof Waivers): boolean {
  const waivers = configValue(config, `${PROJECT}:waivers`);
  const reason = isObject(waivers) ? waivers[waiver] : undefined;
  return typeof reason === "string" && reason.trim().length >= 20;
}

// ---------------------------------------------------------------------------------------------
// The stage, for the prod-only policies.

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
        "The stage of the stack being checked. Unset: delivery:stage, else the stack name; unknown counts as prod. Resource tags never decide it.",
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
 * The stage of the stack: this policy's config, else the stack (`delivery:stage`, else the stack
 * name). Never a tag: a resource tagged `stage: staging` in a prod stack is prod, or any resource
 * could turn the prod rules off for itself. A stack whose stage nobody states is held to the prod
 * rules: failing closed is the safe side of a security bar.
 */
function judgeStage(settings: StageSettings, environment: PolicyEnvironment): StageVerdict {
  const sources: [string | undefined, string][] = [
    [settings.stage || undefined, "this policy's config"],
    [environment.stackStage?.(), "the stack"],
  ];
  const prodStages = settings.prodStages ?? ["prod"];
  const found = sources.find(([stage]) => stage !== undefined);
  if (!found || found[0] === undefined) {
    return {
      prod: true,
      label:
        "stage unknown (neither this policy's config nor the stack names one), so held to the prod rules; if this is not prod, set delivery:stage or this policy's \"stage\" config",
    };
  }
  return { prod: prodStages.includes(found[0]), label: `stage "${found[0]}" from ${found[1]}` };
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

/**
 * A pattern that can only match read-only actions: a literal service and a name that starts with
 * `Describe` or `List` (AWS's List and Read access levels), e.g. `ec2:Describe*`. `Get*` is not
 * one: it matches `secretsmanager:GetSecretValue`, `s3:GetObject`, `ssm:GetParameter`.
 */
const readOnlyPattern = (action: string) => /^[^:*?]+:(describe|list)/i.test(action);

const wildcardActions: StatementCheck = (s, where) => {
  if (s.Effect !== "Allow") return [];
  const problems: string[] = [];
  const actions = list(s.Action);
  const wild = actions.filter(isWildcardAction);
  if (wild.length > 0) {
    problems.push(
      `${where} allows ${wild.map((a) => `"${a}"`).join(", ")}: every action${wild.every((a) => a === "*") ? " of every service" : " of the service"}, including ones added later. Fix: list the exact actions the job needs (e.g. "ecr:PutImage", "ecs:UpdateService")`,
    );
  }
  const patterns = actions.filter(
    (a) => !isWildcardAction(a) && WILDCARD.test(a) && !readOnlyPattern(a),
  );
  if (patterns.length > 0) {
    problems.push(
      `${where} allows ${patterns.map((a) => `"${a}"`).join(", ")}: every action whose name fits the pattern, which can change things or read data (e.g. "iam:Create*" creates users and access keys, "iam:*Policy*" attaches any policy), including actions AWS adds later. Fix: list the exact actions the job needs; only read-only patterns (Describe*, List*) are accepted`,
    );
  }
  if (s.NotAction !== undefined) {
    problems.push(
      `${where} is an Allow with NotAction, which grants every action except the listed ones. Fix: use Action with the exact actions needed`,
    );
  }
  return problems;
};

/** A kind of resource an action is scoped to: `arn:<p>:<service>:<region>:<account>:<type><name>`. */
interface ResourceKind {
  readonly service: string;
  /** The resource type as the ARN spells it, with its separator: `secret:`, `repository/`. */
  readonly type: string;
  /** What one is called in messages. */
  readonly what: string;
  /** The name must be literal, not only not a wildcard (task definition families). */
  readonly literalName?: boolean;
}

/**
 * Why a Resource entry stands for every resource of the kind (or every one under a path), or
 * undefined when it names some. `*`, a wildcard service or account, a name that is a wildcard
 * (`secret:*`, `repository/*`, `service/shop-prod/*`) all count; a pattern inside a name
 * (`secret:shop/prod/jwt-secret-??????`) does not. Resources of other kinds do not concern it.
 */
function everyResource(resource: string, kind: ResourceKind): string | undefined {
  if (wildcardOnly(resource)) return `every ${kind.what}`;
  const parts = resource.split(":");
  if (parts[0] !== "arn" || parts.length < 6) {
    return WILDCARD.test(resource) ? `every ${kind.what} "${resource}" matches` : undefined;
  }
  const [, , service, , account] = parts;
  if (WILDCARD.test(service)) return `every ${kind.what}`;
  if (service.toLowerCase() !== kind.service) return undefined;
  if (WILDCARD.test(account)) return `the ${kind.what}s of every AWS account`;
  const rest = parts.slice(5).join(":");
  if (!rest.startsWith(kind.type)) return WILDCARD.test(rest) ? `every ${kind.what}` : undefined;
  const name = rest.slice(kind.type.length);
  if (name === "" || name.split("/").some(wildcardOnly)) return `every ${kind.what}`;
  const family = name.split(":")[0];
  if (kind.literalName && WILDCARD.test(family)) {
    return `every ${kind.what} matching "${family}" (the other stage's too)`;
  }
  return undefined;
}

/** What a Resource list stands for, when any entry (or a NotResource) means every resource. */
function broadResources(s: Json, kind: ResourceKind): string | undefined {
  if (s.NotResource !== undefined) return `every ${kind.what} but the NotResource ones`;
  const resources = list(s.Resource);
  if (resources.length === 0) return "no named resource";
  const broad = resources
    .map((r) => [r, everyResource(r, kind)] as const)
    .filter((e): e is readonly [string, string] => e[1] !== undefined);
  return broad.length === 0 ? undefined : broad.map(([r, why]) => `"${r}" (${why})`).join(", ");
}

const ROLES: ResourceKind = { service: "iam", type: "role/", what: "role" };

const passRoleScoped: StatementCheck = (s, where) => {
  if (!grantsAction(s, "iam:PassRole")) return [];
  const problems: string[] = [];
  const broad = broadResources(s, ROLES);
  if (broad !== undefined) {
    problems.push(
      `${where} allows iam:PassRole on ${broad}, which lets the holder hand any role (up to admin) to a service it controls: privilege escalation. Fix: set Resource to the exact role ARNs (the stage's task and execution roles)`,
    );
  }
  const passedTo = conditionValues(
    s,
    (op) => RESTRICTING_OPERATORS.has(op),
    (k) => k === "iam:passedtoservice",
  );
  if (!passedTo || passedTo.length === 0 || passedTo.some(wildcardOnly)) {
    problems.push(
      `${where} allows iam:PassRole without an iam:PassedToService condition, so the roles can be passed to any service. Fix: add "Condition": { "StringEquals": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }`,
    );
  }
  return problems;
};

/** Actions that read a secret, publish an image or change a deployment: never on every resource. */
const SCOPED_ACTIONS: readonly {
  readonly action: string;
  readonly kind: ResourceKind;
  readonly fix: string;
}[] = [
  {
    action: "secretsmanager:GetSecretValue",
    kind: { service: "secretsmanager", type: "secret:", what: "secret" },
    fix: 'the exact secret ARNs ("…:secret:<name>-<6 characters>", or "<name>-??????")',
  },
  {
    action: "kms:Decrypt",
    kind: { service: "kms", type: "key/", what: "KMS key" },
    fix: "the exact key ARNs of the secrets' customer-managed keys",
  },
  {
    action: "ecr:PutImage",
    kind: { service: "ecr", type: "repository/", what: "repository" },
    fix: 'the exact repository ARNs ("…:repository/<name>")',
  },
  {
    action: "ecs:UpdateService",
    kind: { service: "ecs", type: "service/", what: "service" },
    fix: 'the exact service ARNs ("…:service/<cluster>/<service>")',
  },
  {
    action: "ecs:RegisterTaskDefinition",
    kind: {
      service: "ecs",
      type: "task-definition/",
      what: "task definition family",
      literalName: true,
    },
    fix: 'the stage\'s own families ("…:task-definition/<family>:*")',
  },
];

const sensitiveActionsScoped: StatementCheck = (s, where) =>
  SCOPED_ACTIONS.flatMap(({ action, kind, fix }) => {
    if (!grantsAction(s, action)) return [];
    const broad = broadResources(s, kind);
    return broad === undefined
      ? []
      : [
          `${where} allows ${action} on ${broad}: one grant for every ${kind.what}, including the other stage's and ones created later. Fix: set Resource to ${fix}`,
        ];
  });

/** IAM actions that let their holder grant itself anything: a direct path to administrator. */
const ESCALATION_ACTIONS = [
  "iam:AttachRolePolicy",
  "iam:AttachUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:PutRolePolicy",
  "iam:PutUserPolicy",
  "iam:PutGroupPolicy",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:UpdateAssumeRolePolicy",
  "iam:AddUserToGroup",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
];

/** Every resource of every kind: `*`, or an ARN whose type or name is a wildcard. */
const everything = (s: Json) =>
  s.NotResource !== undefined ||
  list(s.Resource).some((r) => {
    if (wildcardOnly(r)) return true;
    const parts = r.split(":");
    if (parts[0] !== "arn" || parts.length < 6) return WILDCARD.test(r);
    return (
      WILDCARD.test(parts[2]) ||
      WILDCARD.test(parts[4]) ||
      parts.slice(5).join(":").split("/").some(wildcardOnly)
    );
  });

/** Why a statement makes its holder an administrator by another name, or undefined. */
function adminStatementReason(s: Json): string | undefined {
  if (s.Effect !== "Allow" || !everything(s)) return undefined;
  const actions = list(s.Action);
  if (s.NotAction !== undefined) return "allows every action but a few on every resource";
  if (actions.some(wildcardOnly)) return "allows every action on every resource";
  const escalation = ESCALATION_ACTIONS.filter((e) => actions.some((a) => iamLike(a, e)));
  if (escalation.length > 0) {
    return `allows ${escalation.slice(0, 3).join(", ")}${escalation.length > 3 ? ", ..." : ""} on every resource, so its holder can grant itself any policy`;
  }
  if (actions.some((a) => iamLike(a, "sts:AssumeRole")) && broadResources(s, ROLES) !== undefined) {
    return "allows sts:AssumeRole on every role, so its holder can become any role that trusts the account, admin roles included";
  }
  return undefined;
}

const adminGrants: StatementCheck = (s, where) => {
  const reason = adminStatementReason(s);
  return reason
    ? [
        `${where} ${reason}: administrator access by another name. Fix: grant the exact actions the job needs on the exact resources (the product's roles get least-privilege policies)`,
      ]
    : [];
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
// Principals of trust and resource policies.

/** Why a statement's principal is everyone, or undefined. */
function everyonePrincipal(s: Json): string | undefined {
  if (s.NotPrincipal !== undefined)
    return "an Allow with NotPrincipal (every principal but the listed ones)";
  const principal = s.Principal;
  if (typeof principal === "string") return wildcardOnly(principal) ? 'Principal "*"' : undefined;
  if (!isObject(principal)) return undefined;
  for (const [kind, value] of Object.entries(principal)) {
    const any = list(value).find((p) => wildcardOnly(p) || /^arn:[^:]*:iam::[*?]+:/.test(p));
    if (any !== undefined) return `Principal { "${kind}": "${any}" }`;
  }
  return undefined;
}

/** Allow statements of a document that admit every principal. */
function everyoneProblems(what: string, document: unknown, fix: string): string[] {
  if (document === undefined) return [];
  const parsed = statementsOf(document);
  if ("problem" in parsed) {
    return [
      `${what} ${parsed.problem}, so who it admits cannot be checked. Fix: pass a JSON policy document (build it as an object and JSON.stringify it)`,
    ];
  }
  return parsed.statements.flatMap((s, i) => {
    const why = s.Effect === "Allow" ? everyonePrincipal(s) : undefined;
    return why
      ? [
          `${what}, ${sidOf(s, i)} allows ${list(s.Action).join(", ") || "its actions"} to ${why}: anyone in any AWS account, whatever its conditions say about them. Fix: ${fix}`,
        ]
      : [];
  });
}

const RESOURCE_POLICY_FIX =
  "name the principals: a service principal with an aws:SourceArn condition (as the break-glass topic's policy does), or the exact account, role or user ARNs";

/** Checks the `policy` a resource writes onto a topic, queue, repository, secret, key or bucket. */
const resourcePolicy =
  (what: string) =>
  (r: { readonly policy?: unknown }, args: ResourceValidationArgs, report: ReportViolation) =>
    everyoneProblems(`${what} "${args.name}"`, r.policy, RESOURCE_POLICY_FIX).forEach((p) =>
      report(p),
    );

// ---------------------------------------------------------------------------------------------
// Task definitions.

interface Container {
  readonly name: string;
  readonly privileged: boolean;
  readonly environment: readonly { readonly name: string; readonly value: unknown }[];
  /** `linuxParameters.capabilities.add`. */
  readonly addedCapabilities: readonly string[];
  readonly logConfiguration: unknown;
}

/** The containers of a task definition's `containerDefinitions` JSON text. */
function containersOf(definitions: unknown): Container[] | undefined {
  const parsed = fromJson(definitions);
  if (!Array.isArray(parsed)) return undefined;
  return parsed.filter(isObject).map((c, i) => {
    const linux = isObject(c.linuxParameters) ? c.linuxParameters : {};
    const capabilities = isObject(linux.capabilities) ? linux.capabilities : {};
    return {
      name: typeof c.name === "string" ? c.name : `#${i + 1}`,
      privileged: c.privileged === true,
      environment: (Array.isArray(c.environment) ? c.environment : [])
        .filter(isObject)
        .map((e) => ({ name: typeof e.name === "string" ? e.name : "", value: e.value })),
      addedCapabilities: Array.isArray(capabilities.add)
        ? capabilities.add.map((x) => (typeof x === "string" ? x : JSON.stringify(x)))
        : [],
      logConfiguration: c.logConfiguration,
    };
  });
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
// The stack's GitHub roles.

/** What a role's grants give away beyond reading, for messages. */
const writesOf = (role: RoleView) =>
  `${role.writes.slice(0, 4).join(", ")}${role.writes.length > 4 ? ", ..." : ""}`;

/** Whether an admission lets anyone who can push a branch or open a pull request in. */
function exposure(
  a: Admission,
  environmentProblem: (a: Admission & { kind: "environment" }) => string | undefined,
): string | undefined {
  switch (a.kind) {
    case "pullRequest":
    case "anything":
      return `${describeAdmission(a)} can assume it, and anyone who can push a branch or open a pull request gets in`;
    case "branch":
    case "tag":
      return a.any
        ? `${describeAdmission(a)} can assume it, and anyone who can push one gets in`
        : undefined;
    case "environment":
      return environmentProblem(a);
  }
}

// ---------------------------------------------------------------------------------------------
// The policies.

/** The pack's policies; `environment` tells them what the stack itself says (stage, config). */
export function createPolicies(environment: PolicyEnvironment = {}): DeliveryPolicy[] {
  const prodOnly = (settings: StageSettings) => judgeStage(settings, environment);
  const stackConfig = (): StackConfig => environment.stackConfig?.() ?? {};

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

  const oneGithubProvider: StackValidationPolicy = {
    name: "github-oidc-one-provider",
    description:
      "One GitHub OIDC provider: no second aws.iam.OpenIdConnectProvider for token.actions.githubusercontent.com in the stack, and no role that trusts GitHub's provider trusts another OIDC provider (or a look-alike issuer) besides it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: (args, report) => {
      const providers = args.resources.filter((r) => {
        if (!r.isType(iam.OpenIdConnectProvider)) return false;
        const url = (r.props as Json).url;
        return (
          typeof url === "string" &&
          url.replace(/^https:\/\//, "").split("/")[0] === GITHUB_OIDC_HOST
        );
      });
      for (const extra of providers.slice(1)) {
        report(
          `OIDC provider "${extra.name}" is a second provider for GitHub Actions in this stack (the first is "${providers[0].name}"): IAM refuses a second one for the same URL (EntityAlreadyExists), and one for another GitHub issuer is a second way in that this stack's trust rules do not cover. Fix: declare one aws.iam.OpenIdConnectProvider per account (delivery:oidc.mode: create in one stack, existing in the others) and trust only it`,
          extra.urn,
        );
      }
      for (const role of rolesOf(args.resources)) {
        if (!role.github) continue;
        const github = role.github.federated.filter(isGithubProviderArn);
        const others = role.github.federated.filter((f) => !isGithubProviderArn(f));
        for (const other of others) {
          const lookAlike = other.includes(GITHUB_OIDC_HOST);
          report(
            `role "${role.name}" trusts GitHub Actions and also ${lookAlike ? "the look-alike issuer" : "the OIDC provider"} "${other}"${lookAlike ? ", which is not GitHub's provider (arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com)" : ""}: tokens of that issuer are held to none of GitHub's sub rules. Fix: give each identity provider its own role; trust only GitHub's OIDC provider here`,
            role.resource.urn,
          );
        }
        if (new Set(github.map((f) => f.toLowerCase())).size > 1) {
          report(
            `role "${role.name}" trusts ${github.length} GitHub OIDC providers (${github.join(", ")}): a second account's or issuer's provider is a second way in. Fix: trust only the account's one GitHub OIDC provider`,
            role.resource.urn,
          );
        }
      }
    },
  };

  const noWildcardActions: ResourceValidationPolicy = {
    name: "iam-no-wildcard-actions",
    description:
      'No "*" or "<service>:*" action, no write-capable action pattern ("iam:Create*", "iam:*Policy*", "s3:Put*"; only Describe*/List* patterns), and no Allow with NotAction in any permission policy: role, user and group policies, managed policies and role inline policies.',
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: overPermissionPolicies(wildcardActions),
  };

  const noAdminManagedPolicies: ResourceValidationPolicy = {
    name: "iam-no-admin-managed-policies",
    description:
      "No admin-class AWS-managed policy (AdministratorAccess, PowerUserAccess, IAMFullAccess and the others lib/adminPolicies.ts lists) attached to any role, user or group.",
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
      validateResourceOfType(iam.RolePolicyAttachmentsExclusive, (a, args, report) =>
        list(a.policyArns).forEach((arn) =>
          adminPolicyProblem(arn, `attachments "${args.name}"`).forEach((p) => report(p)),
        ),
      ),
      validateResourceOfType(iam.UserPolicyAttachmentsExclusive, (a, args, report) =>
        list(a.policyArns).forEach((arn) =>
          adminPolicyProblem(arn, `attachments "${args.name}"`).forEach((p) => report(p)),
        ),
      ),
      validateResourceOfType(iam.GroupPolicyAttachmentsExclusive, (a, args, report) =>
        list(a.policyArns).forEach((arn) =>
          adminPolicyProblem(arn, `attachments "${args.name}"`).forEach((p) => report(p)),
        ),
      ),
      validateResourceOfType(iam.Role, (role, args, report) => {
        for (const arn of list(role.managedPolicyArns)) {
          adminPolicyProblem(arn, `role "${role.name ?? args.name}" managedPolicyArns`).forEach(
            (p) => report(p),
          );
        }
      }),
    ],
  };

  const noAdminGrants: ResourceValidationPolicy = {
    name: "iam-no-admin-grants",
    description:
      'No customer-managed or inline policy that makes its holder an administrator by another name: "*" or NotAction on every resource, IAM actions that grant policies or keys (iam:*, iam:AttachRolePolicy, iam:PutRolePolicy, iam:CreateAccessKey, ...) on every resource, or sts:AssumeRole on every role.',
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: overPermissionPolicies(adminGrants),
  };

  const passRole: ResourceValidationPolicy = {
    name: "iam-passrole-scoped",
    description:
      "iam:PassRole only on named roles (never *, role/*, another account's or NotResource) and only with an iam:PassedToService condition.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: overPermissionPolicies(passRoleScoped),
  };

  const sensitiveActions: ResourceValidationPolicy = {
    name: "iam-sensitive-actions-scoped",
    description:
      "secretsmanager:GetSecretValue, kms:Decrypt, ecr:PutImage, ecs:UpdateService and ecs:RegisterTaskDefinition never on every resource (*, secret:*, repository/*, service/*, task-definition/*, NotResource); RegisterTaskDefinition only on literal families (task-definition/<family>:*).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: overPermissionPolicies(sensitiveActionsScoped),
  };

  const noWildcardPrincipals: ResourceValidationPolicy = {
    name: "iam-no-wildcard-principals",
    description:
      'No Allow to every principal (Principal "*", { AWS: "*" }, any account, NotPrincipal) in trust policies or in the resource policies the stack writes: SNS topics, SQS queues, ECR repositories and registry, Secrets Manager secrets, KMS keys, S3 buckets.',
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: [
      validateResourceOfType(iam.Role, (role, args, report) => {
        const parsed = statementsOf(role.assumeRolePolicy);
        // An unreadable trust policy is github-oidc-trust's to report.
        if ("problem" in parsed) return;
        everyoneProblems(
          `role "${role.name ?? args.name}" trust policy`,
          role.assumeRolePolicy,
          "trust exact principals: GitHub's OIDC provider with aud and sub conditions, a service principal, or an account or role ARN",
        ).forEach((p) => report(p));
      }),
      validateResourceOfType(TopicPolicy, resourcePolicy("SNS topic policy")),
      validateResourceOfType(Topic, resourcePolicy("SNS topic")),
      validateResourceOfType(QueuePolicy, resourcePolicy("SQS queue policy")),
      validateResourceOfType(Queue, resourcePolicy("SQS queue")),
      validateResourceOfType(ecr.RepositoryPolicy, resourcePolicy("ECR repository policy")),
      validateResourceOfType(ecr.RegistryPolicy, resourcePolicy("ECR registry policy")),
      validateResourceOfType(SecretPolicy, resourcePolicy("secret policy")),
      validateResourceOfType(KmsKey, resourcePolicy("KMS key")),
      validateResourceOfType(KmsKeyPolicy, resourcePolicy("KMS key policy")),
      validateResourceOfType(BucketPolicy, resourcePolicy("S3 bucket policy")),
    ],
  };

  const exposedRolesReadOnly: StackValidationPolicy = {
    name: "github-exposed-roles-read-only",
    description:
      "In every stage, a role that any branch, any tag or any pull request can assume from GitHub Actions (ref:refs/heads/*, ref:refs/tags/*, pull_request, a wildcard context, no sub, or an environment every ref may use with nobody reviewing) has read-only grants only (inline, role and attached policies, resolved within the stack; unknown actions count as writes).",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: (args, report) => {
      const config = stackConfig();
      const environments = environmentsOf(args.resources, config);
      const unreviewedAnyRef = (a: Admission & { kind: "environment" }) => {
        const found = environmentOf(a, environments, config);
        if (!("environment" in found)) return undefined;
        const env = found.environment;
        return env.anyRef !== undefined && env.reviewers === 0
          ? `${describeAdmission(a, true)} can assume it, and every branch or tag may run jobs in that environment (it ${env.anyRef}) and nobody reviews them`
          : undefined;
      };
      for (const role of rolesOf(args.resources)) {
        if (!role.github || role.writes.length === 0) continue;
        for (const a of role.github.admissions) {
          const why = exposure(a, unreviewedAnyRef);
          if (!why) continue;
          report(
            `role "${role.name}" may change something or read a secret (${writesOf(role)}), but ${why}; ${EXPOSED_ROLE_FIX}`,
            role.resource.urn,
          );
        }
      }
    },
  };

  const prodReviewed: StackValidationPolicy = {
    name: "github-prod-reviewed",
    description:
      "In prod, every role trusting GitHub Actions that may write or read a secret is assumable only as repo:<owner>/<repo>:environment:<name> (or the immutable-id form) of a GitHub environment the stack declares with at least one reviewer, preventSelfReview true, canAdminsBypass false and deploy refs narrower than every branch or tag; unless the stack config carries delivery:waivers.prodWithoutReview.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: STAGE_CONFIG_SCHEMA,
    validateStack: (args, report) => {
      const verdict = prodOnly(args.getConfig<StageSettings>());
      const config = stackConfig();
      if (!verdict.prod || waived(config, "prodWithoutReview")) return;
      const environments = environmentsOf(args.resources, config);
      const unreviewed = (a: Admission): string | undefined => {
        if (a.kind !== "environment") {
          return `${describeAdmission(a)} can assume it; such a job needs no environment, so no reviewer sees it`;
        }
        const found = environmentOf(a, environments, config);
        if (!("environment" in found))
          return `${describeAdmission(a)} can assume it, but ${found.problem}`;
        const env = found.environment;
        const gaps = [
          ...(env.reviewers === 0 ? ["has no required reviewer"] : []),
          ...(!env.preventSelfReview
            ? ["lets whoever starts a deploy approve it (preventSelfReview is not true)"]
            : []),
          ...(env.canAdminsBypass
            ? ["lets admins bypass its review (canAdminsBypass is not false)"]
            : []),
          ...(env.anyRef !== undefined ? [env.anyRef] : []),
        ];
        return gaps.length === 0
          ? undefined
          : `${describeAdmission(a, true)} can assume it, but the environment ${env.name} ${gaps.join(", ")}`;
      };
      for (const role of rolesOf(args.resources)) {
        if (!role.github || role.writes.length === 0) continue;
        for (const a of role.github.admissions) {
          const why = unreviewed(a);
          if (!why) continue;
          report(
            `role "${role.name}" (${verdict.label}) may change prod or read its secrets (${writesOf(role)}), and ${why}. Fix: trust only "${EXAMPLE_SUBJECT}" of a GitHub environment this stack declares (github.RepositoryEnvironment) with at least one reviewer, preventSelfReview: true and canAdminsBypass: false (the product's prod defaults), or set ${PROJECT}:waivers.prodWithoutReview to the reason`,
            role.resource.urn,
          );
        }
      }
    },
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

  const noAddedCapabilities: ResourceValidationPolicy = {
    name: "ecs-no-added-capabilities",
    description:
      "No container of a task definition adds Linux capabilities (linuxParameters.capabilities.add), which widen what a compromised container may do to its host.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: overContainers((family, containers, report) => {
      for (const c of containers.filter((x) => x.addedCapabilities.length > 0)) {
        report(
          `task definition "${family}": container "${c.name}" adds the Linux capabilities ${c.addedCapabilities.join(", ")}, which let a compromised process do more to the host kernel (SYS_PTRACE reads other processes' memory). Fix: remove linuxParameters.capabilities.add; if a tool really needs one, run it in a separate, short-lived task`,
        );
      }
    }),
  };

  const containerLogging: ResourceValidationPolicy = {
    name: "ecs-container-logging",
    description:
      "Every container of a task definition has a logConfiguration with a log driver (Security Hub ECS.9).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: overContainers((family, containers, report) => {
      for (const c of containers) {
        const log = c.logConfiguration;
        if (isObject(log) && typeof log.logDriver === "string" && log.logDriver !== "") continue;
        report(
          `task definition "${family}": container "${c.name}" has no logConfiguration with a logDriver, so what it prints is lost and nobody can see why it failed. Fix: set logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": <log group>, "awslogs-region": <region>, "awslogs-stream-prefix": <container> } } (the product's FargateService does)`,
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

  const publicIp = (inProd: boolean): ResourceValidationPolicy => ({
    name: inProd ? "ecs-prod-no-public-ip" : "ecs-staging-no-public-ip",
    description: inProd
      ? "Prod ECS services get no automatic public IP (networkConfiguration.assignPublicIp; Security Hub ECS.2)."
      : "Outside prod (staging and every other non-prod stage), ECS services get no automatic public IP (Security Hub ECS.2); advisory, as a staging network without a NAT may need one.",
    enforcementLevel: inProd ? "mandatory" : "advisory",
    severity: inProd ? "high" : "medium",
    configSchema: STAGE_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(ecs.Service, (svc, args, report) => {
      const verdict = prodOnly(args.getConfig<StageSettings>());
      const assign = svc.networkConfiguration?.assignPublicIp as unknown;
      if (verdict.prod !== inProd || (assign !== true && assign !== "true")) return;
      report(
        `ECS service "${svc.name ?? args.name}" (${verdict.label}) gives every task a public IP address, reachable from the internet wherever its security groups allow. Fix: set networkConfiguration.assignPublicIp: false (delivery:ecs.network.assignPublicIp: false) and reach the internet through a NAT gateway or VPC endpoints`,
      );
    }),
  });

  const circuitBreaker: ResourceValidationPolicy = {
    name: "ecs-service-circuit-breaker",
    description:
      "ECS services deployed by ECS roll a failing deployment back: deploymentCircuitBreaker { enable: true, rollback: true }.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: validateResourceOfType(ecs.Service, (svc, args, report) => {
      // CodeDeploy and external controllers roll back on their own; ECS refuses a breaker there.
      const controller = svc.deploymentController?.type;
      if (controller !== undefined && controller !== "ECS") return;
      const breaker = svc.deploymentCircuitBreaker;
      if (breaker?.enable === true && breaker.rollback === true) return;
      report(
        `ECS service "${svc.name ?? args.name}" has no deployment circuit breaker with rollback${breaker?.enable === true ? " (it is on, but rollback is off)" : ""}, so a revision that never gets healthy keeps replacing tasks until someone notices. Fix: set deploymentCircuitBreaker: { enable: true, rollback: true }`,
      );
    }),
  };

  const containerInsights: ResourceValidationPolicy = {
    name: "ecs-cluster-container-insights",
    description:
      'ECS clusters have Container Insights on (settings containerInsights "enabled" or "enhanced"; Security Hub ECS.12). Advisory: delivery:ecs.cluster.containerInsights: disabled is a supported cost choice.',
    enforcementLevel: "advisory",
    severity: "medium",
    validateResource: validateResourceOfType(ecs.Cluster, (cluster, args, report) => {
      const settings = Array.isArray(cluster.settings) ? cluster.settings : [];
      const value = settings.find((s) => isObject(s) && s.name === "containerInsights")?.value;
      if (value === "enabled" || value === "enhanced") return;
      report(
        `ECS cluster "${cluster.name ?? args.name}" has Container Insights ${value === undefined ? "unset (off unless the account's default turns it on)" : `"${value}"`}, so its tasks' CPU, memory and restarts are not recorded. Fix: set settings: [{ name: "containerInsights", value: "enabled" }] (delivery:ecs.cluster.containerInsights: enabled or enhanced)`,
      );
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
      "Prod ECR repositories have immutable tags (Security Hub ECR.2), so a deployed tag always names the same image; only the stack's own name may be excluded, as the one moving tag (delivery:ecr.stageTag).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: STAGE_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(ecr.Repository, (repo, args, report) => {
      const verdict = prodOnly(args.getConfig<StageSettings>());
      if (!verdict.prod || repo.imageTagMutability === "IMMUTABLE") return;
      const filters = repo.imageTagMutabilityExclusionFilters ?? [];
      // The stage tag alone may move: the stack's own name, a literal (a wildcard would let any
      // matching tag move). Unknown stack: nothing may.
      const stack = environment.stackName?.();
      if (
        repo.imageTagMutability === "IMMUTABLE_WITH_EXCLUSION" &&
        stack !== undefined &&
        filters.length === 1 &&
        filters[0].filter === stack
      ) {
        return;
      }
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
      const verdict = prodOnly(args.getConfig<StageSettings>());
      if (!verdict.prod || repo.imageScanningConfiguration?.scanOnPush === true) return;
      report(
        `ECR repository "${repo.name ?? args.name}" (${verdict.label}) does not scan images on push, so known vulnerabilities reach prod unnoticed. Fix: set imageScanningConfiguration: { scanOnPush: true } (or turn on registry-level enhanced scanning and set this policy's enforcementLevel to disabled)`,
      );
    }),
  };

  const noForceDelete: ResourceValidationPolicy = {
    name: "ecr-prod-no-force-delete",
    description:
      "Prod ECR repositories never have forceDelete: true, so a destroy or a replacement cannot delete the images prod runs.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: STAGE_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(ecr.Repository, (repo, args, report) => {
      const verdict = prodOnly(args.getConfig<StageSettings>());
      if (!verdict.prod || repo.forceDelete !== true) return;
      report(
        `ECR repository "${repo.name ?? args.name}" (${verdict.label}) has forceDelete: true, so deleting or replacing it deletes every image in it, including the ones prod runs. Fix: remove forceDelete (only staging may set delivery:ecr.forceDelete)`,
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
      const verdict = prodOnly(args.getConfig<StageSettings>());
      if (!verdict.prod) return;
      const covered = new Set(
        args.resources
          .filter((r) => r.isType(ecr.LifecyclePolicy))
          .map((r) => (r.props as Json).repository)
          .filter((name): name is string => typeof name === "string"),
      );
      for (const repo of args.resources.filter((r: PolicyResource) => r.isType(ecr.Repository))) {
        const props = repo.props as Json;
        const name = typeof props.name === "string" ? props.name : repo.name;
        if (covered.has(name)) continue;
        report(
          `ECR repository "${name}" (${verdict.label}) has no lifecycle policy, so untagged and superseded images pile up at a cost forever. Fix: add an ecr.LifecyclePolicy with repository: the repository's name (the product's EcrRepository adds one: expire untagged after delivery:ecr.untaggedExpiryDays, keep delivery:ecr.keepLastImages)`,
          repo.urn,
        );
      }
    },
  };

  const recoveryWindow: ResourceValidationPolicy = {
    name: "secrets-prod-recovery-window",
    description:
      "Prod Secrets Manager secrets keep a recovery window of at least 7 days (recoveryWindowInDays 0 deletes at once, with no way back).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: STAGE_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(Secret, (secret, args, report) => {
      const verdict = prodOnly(args.getConfig<StageSettings>());
      const days = secret.recoveryWindowInDays;
      if (!verdict.prod || typeof days !== "number" || days >= 7) return;
      report(
        `secret "${secret.name ?? args.name}" (${verdict.label}) has recoveryWindowInDays ${days}, so deleting it (or a replacement) destroys the value at once and prod's tasks fail to start. Fix: remove recoveryWindowInDays (30 days) or set 7 to 30 (delivery:secretSettings.recoveryWindowDays; force-delete only in staging)`,
      );
    }),
  };

  return [
    githubOidcTrust,
    oneGithubProvider,
    exposedRolesReadOnly,
    prodReviewed,
    noWildcardActions,
    noAdminManagedPolicies,
    noAdminGrants,
    passRole,
    sensitiveActions,
    noWildcardPrincipals,
    noPrivileged,
    noAddedCapabilities,
    containerLogging,
    noSecretsInEnvironment,
    publicIp(true),
    publicIp(false),
    circuitBreaker,
    containerInsights,
    logRetention,
    immutableTags,
    scanOnPush,
    noForceDelete,
    lifecycle,
    recoveryWindow,
  ];
}

/** The pack as the CLI runs it: the stack's stage and config come from the pack's environment. */
export const policies: DeliveryPolicy[] = createPolicies({
  stackStage: stageFromProcessEnv,
  stackConfig: configFromProcessEnv,
  stackName: stackFromProcessEnv,
});
