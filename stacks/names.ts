/**
 * The stage's physical names: every role, user, policy, repository, secret, log group, task
 * family, service, cluster, topic, alarm and GitHub environment, secret and variable, computed
 * once from the typed config. Components take their names from here and never build one.
 *
 * Each name is also checked here, per namespace, the way the service that owns it checks it:
 * length, characters, and uniqueness (ignoring letter case where the service does), so a stage
 * never asks AWS or GitHub for a name they refuse or for one name twice.
 */
import { StageName, logGroupName, resourceName, secretName } from "../lib/naming";
import { ENVIRONMENT_NAME_PATTERN } from "../lib/subjects";
import { policyNameOf } from "../lib/arns";
import { byKey } from "../lib/order";
import {
  FALLBACK_SECRETS,
  GITHUB_NAME_PATTERN,
  GITHUB_VARIABLES_PER_ENVIRONMENT,
  RoleArnOutput,
  VariableLayout,
  VariableValue,
  environmentVariables,
} from "../lib/variables";
import { PROJECT } from "./project";
import type { DeliveryConfig, Section } from "./schema";
import { runsTasks, serviceRun } from "./stage";

/** Names of an image service's resources: its repository, and nothing of a task. */
export interface ImageServiceNames {
  readonly kind: "image";
  /** ECR repository (the configured, adopted or default one). */
  readonly repository: string;
}

/** Names of one service's resources, for a service that runs on ECS. */
export interface TaskServiceNames {
  readonly kind: "task";
  /** ECR repository (the configured, adopted or default one). */
  readonly repository: string;
  /** Task definition family. */
  readonly family: string;
  /** The ECS service: created under this name, or the existing one. */
  readonly service: string;
  readonly logGroup: string;
  readonly executionRole: string;
  /** The execution role's inline policy. */
  readonly executionPolicy: string;
  readonly taskRole: string;
  /** The container in the task definition. */
  readonly container: string;
  /** Target tracking policies of the service's scalable target, by metric. */
  readonly scalingPolicies: { readonly cpu?: string; readonly memory?: string };
}

/** Names of one service's resources. */
export type ServiceNames = ImageServiceNames | TaskServiceNames;

/** Names of the break-glass resources, when the fallback is on. */
export interface FallbackNames {
  readonly user: string;
  readonly topic: string;
  readonly alarm: string;
  /** The EventBridge rule on CloudTrail events made with the user's credentials. */
  readonly rule: string;
}

/** The stage's GitHub environment and what it writes there. */
export interface GithubNames {
  readonly environment: string;
  /** How service names are written: one variable each, or one JSON variable. */
  readonly layout: VariableLayout;
  readonly variables: readonly { readonly name: string; readonly value: VariableValue }[];
  readonly secrets: readonly string[];
  /** The repository rulesets on the refs that may deploy, when they are on. */
  readonly rulesets: { readonly tags?: string; readonly branches?: string };
  /** Role ARNs written to the repository itself (`githubOutput.scope: repository`). */
  readonly repository: {
    readonly secrets: Readonly<Record<string, string>>;
    readonly variables: Readonly<Record<string, string>>;
  };
  /** Role ARNs written as environment secrets: secret name → role key. */
  readonly roleArnSecrets: Readonly<Record<string, string>>;
  /** Where the deploy role's ARN is written, when the stage has a deploy role. */
  readonly deployRoleArn?: RoleArnOutput;
}

/** Every physical name of the stage. */
export interface StageNames {
  /** Lambda functions the stage's roles deploy, each with the first key that names it. */
  readonly lambdaFunctions: Readonly<Record<string, string>>;
  /** CDK bootstrap qualifiers whose roles the stage's roles assume, with the first key. */
  readonly cdkQualifiers: Readonly<Record<string, string>>;
  /** The accounts the stage's account-wide names are in, for messages and scopes. */
  readonly accountScope: string;
  readonly deployRole: string;
  /** Extra role key → role name. */
  readonly roles: Readonly<Record<string, string>>;
  readonly services: Readonly<Record<string, ServiceNames>>;
  /** Secret key → Secrets Manager name. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The cluster the stage's services run on, created or existing. */
  readonly cluster?: string;
  readonly fallback?: FallbackNames;
  readonly github: GithubNames;
}

/** What the names table needs besides the typed config. */
export interface NamesContext {
  readonly stack: string;
  readonly stage: StageName;
  /** `aws:allowedAccountIds`, when set: what account-wide names are scoped by. */
  readonly accounts?: readonly string[];
}

/** A policy of a principal: `<principal>-<key>`, the key being its grant or its position. */
export function policyName(principal: string, key: string): string {
  return `${principal}-${key}`;
}

/** Secrets Manager ARNs end in `:secret:<name>-<6 random characters>`. */
export function secretNameFromArn(arn: string): string {
  return arn.replace(/^.*:secret:/, "").replace(/-[A-Za-z0-9]{6}$/, "");
}

/** The sections physical names are computed from. */
export const NAME_SECTIONS = [
  "app",
  "github",
  "ecs",
  "services",
  "secrets",
  "roles",
  "adopt",
  "fallback",
  "deployRole",
] as const satisfies readonly Section[];

/** The grants either kind of role may add (the deploy role's shape; extra roles have more). */
type Grants = DeliveryConfig["deployRole"]["grants"];

/** The names of a stage, from its typed config. */
export function stageNames(c: DeliveryConfig, ctx: NamesContext): StageNames {
  const named = (part?: string) => resourceName(c.app, ctx.stack, part);
  const cluster = c.ecs.cluster;
  // Every role's grants, with the key they are at: a name is reported at its first key.
  const grantsByKey = new Map<string, Grants>([
    [`${PROJECT}:deployRole.grants`, c.deployRole.grants],
    ...byKey(c.roles).map(([k, r]) => [`${PROJECT}:roles.${k}.grants`, r.grants] as const),
  ]);
  const firstKeys = (list: (g: Grants) => readonly string[], what: string) => {
    const out: Record<string, string> = {};
    for (const [key, g] of grantsByKey) for (const n of list(g)) out[n] ??= `${key}.${what}`;
    return out;
  };
  return {
    lambdaFunctions: firstKeys((g) => g.lambdaFunctions, "lambdaFunctions"),
    cdkQualifiers: firstKeys(
      (g) => (g.cdkBootstrap ? [g.cdkBootstrap.qualifier] : []),
      "cdkBootstrap",
    ),
    accountScope: ctx.accounts?.length
      ? `account ${[...ctx.accounts].sort().join(", ")}`
      : "an account config does not name",
    deployRole: named("deploy"),
    roles: Object.fromEntries(byKey(c.roles).map(([key]) => [key, named(key)])),
    services: Object.fromEntries(
      byKey(c.services).map(([key, s]): [string, ServiceNames] => {
        const base = named(key);
        const repository =
          s.existingRepository ?? c.adopt.repositories[key] ?? s.repositoryName ?? base;
        if (!runsTasks(s)) return [key, { kind: "image", repository }];
        return [
          key,
          {
            kind: "task",
            repository,
            family: s.family ?? base,
            service: s.existingServiceName ?? base,
            logGroup: c.adopt.logGroups[key] ?? logGroupName(c.app, ctx.stack, key),
            executionRole: s.executionRoleArn
              ? policyNameOf(s.executionRoleArn)
              : `${base}-execution`,
            executionPolicy: `${base}-execution`,
            taskRole: s.taskRoleArn ? policyNameOf(s.taskRoleArn) : `${base}-task`,
            container: s.containerName ?? key,
            scalingPolicies: {
              cpu: s.autoscaling?.cpuTarget !== undefined ? `${base}-cpu` : undefined,
              memory: s.autoscaling?.memoryTarget !== undefined ? `${base}-memory` : undefined,
            },
          },
        ];
      }),
    ),
    secrets: Object.fromEntries(
      byKey(c.secrets).map(([key, d]) => {
        const adopted = c.adopt.secrets[key];
        return [
          key,
          adopted ? secretNameFromArn(adopted) : (d.name ?? secretName(c.app, ctx.stack, key)),
        ];
      }),
    ),
    cluster: !cluster
      ? undefined
      : "create" in cluster
        ? (c.adopt.cluster ?? cluster.name ?? named())
        : cluster.existingName,
    fallback: c.fallback.enabled
      ? {
          user: named("fallback"),
          topic: `${named("fallback")}-used`,
          alarm: `${named("fallback")}-used`,
          rule: `${named("fallback")}-used`,
        }
      : undefined,
    github: githubNames(c, named),
  };
}

/** The config key that makes the stage write this variable, and what the variable holds. */
function variableOwner(name: string, value: VariableValue): [key: string, owner: string] {
  switch (value.kind) {
    case "config":
      return [`${PROJECT}:github.variables.${name}`, `variable ${name}`];
    case "serviceField":
      return [
        `${PROJECT}:services.${value.service}`,
        `the ${value.field} variable of service ${value.service}`,
      ];
    case "roleArn":
      return [`${PROJECT}:roles.${value.role}.githubOutput.name`, `role ${value.role}'s ARN`];
    case "deployRoleArn":
      return [`${PROJECT}:deployRole.githubOutput.name`, "the deploy role's ARN"];
    case "secretName":
      return [`${PROJECT}:secrets.${value.secret}.githubVariable`, `secret ${value.secret}'s name`];
    case "cluster":
      if (value.service !== undefined) {
        return [
          `${PROJECT}:services.${value.service}.variableNames.cluster`,
          `the cluster variable of service ${value.service}`,
        ];
      }
      return [`${PROJECT}:github`, `the program's variable ${name}`];
    case "region":
    case "account":
    case "services":
      return [`${PROJECT}:github`, `the program's variable ${name}`];
  }
}

/** The environment's variables and secrets; `auto` picks the flat layout while it fits. */
function githubNames(c: DeliveryConfig, named: (suffix: string) => string): GithubNames {
  const rulesets = c.github.manage && c.github.rulesets.enabled;
  const outputs = (kind: "secret" | "variable", scope: "environment" | "repository") =>
    Object.fromEntries(
      byKey(c.roles).flatMap(([key, r]) =>
        r.githubOutput && r.githubOutput.kind === kind && r.githubOutput.scope === scope
          ? [[r.githubOutput.name, key]]
          : [],
      ),
    );
  const hasDeployRole = Object.keys(c.services).length > 0;
  const deployRoleArn = hasDeployRole ? c.deployRole.githubOutput : undefined;
  const variablesOf = (layout: VariableLayout) =>
    environmentVariables({
      layout,
      cluster: c.ecs.cluster !== undefined,
      services: byKey(c.services).map(([key, s]) => ({
        key,
        run: serviceRun(c.ecs, s),
        names: s.variableNames,
      })),
      deployRoleArn: deployRoleArn?.kind === "variable" ? deployRoleArn.name : undefined,
      user: Object.fromEntries(byKey(c.github.variables).map(([k, v]) => [k, String(v)])),
      roleArns: outputs("variable", "environment"),
      secretNames: Object.fromEntries(
        byKey(c.secrets).flatMap(([key, s]) => (s.githubVariable ? [[s.githubVariable, key]] : [])),
      ),
    });
  const flat = variablesOf("flat");
  // A service's own variable names exist in the flat layout only: they keep it.
  const ownNames = Object.values(c.services).some((s) => s.variableNames !== undefined);
  const layout: VariableLayout =
    c.github.variableLayout !== "auto"
      ? c.github.variableLayout
      : ownNames || flat.length <= GITHUB_VARIABLES_PER_ENVIRONMENT
        ? "flat"
        : "compact";
  return {
    environment: c.github.environment,
    layout,
    variables: layout === "flat" ? flat : variablesOf(layout),
    secrets: [
      // Config's own first: a count past GitHub's limit is reported at the key that adds most.
      ...byKey(c.github.secrets).map(([name]) => name),
      // The deploy role's ARN, when there is a deploy role (a stage with services).
      ...(deployRoleArn?.kind === "secret" ? [deployRoleArn.name] : []),
      ...(c.fallback.enabled ? Object.values(FALLBACK_SECRETS) : []),
      ...Object.keys(outputs("secret", "environment")),
    ],
    roleArnSecrets: outputs("secret", "environment"),
    deployRoleArn,
    repository: {
      secrets: outputs("secret", "repository"),
      variables: outputs("variable", "repository"),
    },
    rulesets: {
      tags: rulesets && c.github.deployTags.length > 0 ? named("deploy-tags") : undefined,
      branches:
        rulesets && c.github.deployBranches.length > 0 ? named("deploy-branches") : undefined,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The rules each namespace's owner applies to its names.

/** How a service checks the names in one of its namespaces. */
export interface NamespaceRule {
  /** What the namespace holds, for messages: "IAM role name". */
  readonly what: string;
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp;
  /** What the pattern allows, for messages. */
  readonly allowed: string;
  /** Two names differing only in letter case are the same name to the service. */
  readonly ignoresCase: boolean;
  /** Most names the namespace may hold (a GitHub environment's secrets, its variables). */
  readonly maxCount?: number;
  /** Where the rule comes from, so the next engineer can re-check it. */
  readonly source: string;
}

const IAM_NAME = /^[\w+=,.@-]+$/;
const IAM_NAME_ALLOWED = "letters, digits and +=,.@_-";

/** GitHub's rules for secret and variable names, environment and repository alike. */
const GITHUB_NAME_RULE = {
  minLength: 1,
  maxLength: 255,
  pattern: GITHUB_NAME_PATTERN,
  allowed: "letters, digits and _, not starting with a digit or GITHUB_",
  ignoresCase: true,
} as const;

/** The namespaces of the stage's physical names. */
export const NAMESPACES = {
  iamRole: {
    what: "IAM role name",
    minLength: 1,
    maxLength: 64,
    pattern: IAM_NAME,
    allowed: IAM_NAME_ALLOWED,
    ignoresCase: true,
    source: "IAM API CreateRole, RoleName; IAM names are unique ignoring case",
  },
  iamUser: {
    what: "IAM user name",
    minLength: 1,
    maxLength: 64,
    pattern: IAM_NAME,
    allowed: IAM_NAME_ALLOWED,
    ignoresCase: true,
    source: "IAM API CreateUser, UserName",
  },
  iamPolicy: {
    what: "IAM policy name",
    minLength: 1,
    maxLength: 128,
    pattern: IAM_NAME,
    allowed: IAM_NAME_ALLOWED,
    ignoresCase: true,
    source: "IAM API CreatePolicy / PutRolePolicy, PolicyName",
  },
  ecrRepository: {
    what: "ECR repository name",
    minLength: 2,
    maxLength: 256,
    // ECR's CreateRepository pattern: one separator between parts, never a run of them.
    pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    allowed:
      'lowercase letters and digits in parts joined by one ".", "_" or "-", with "/" between namespaces; no run of separators',
    ignoresCase: false,
    source: "ECR API CreateRepository, repositoryName",
  },
  secret: {
    what: "Secrets Manager secret name",
    minLength: 1,
    maxLength: 512,
    pattern: /^[A-Za-z0-9/_+=.@-]+$/,
    allowed: "letters, digits and /_+=.@-",
    ignoresCase: false,
    source: "Secrets Manager API CreateSecret, Name",
  },
  logGroup: {
    what: "CloudWatch log group name",
    minLength: 1,
    maxLength: 512,
    pattern: /^(?!aws\/)[.\-_/#A-Za-z0-9]+$/,
    allowed: 'letters, digits and ._-/#, not starting with "aws/"',
    ignoresCase: false,
    source: "CloudWatch Logs API CreateLogGroup, logGroupName",
  },
  taskFamily: {
    what: "ECS task definition family",
    minLength: 1,
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: "letters, digits, _ and -",
    ignoresCase: false,
    source: "ECS API RegisterTaskDefinition, family",
  },
  ecsService: {
    what: "ECS service name",
    minLength: 1,
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: "letters, digits, _ and -",
    ignoresCase: false,
    source: "ECS API CreateService, serviceName (unique per cluster)",
  },
  ecsCluster: {
    what: "ECS cluster name",
    minLength: 1,
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: "letters, digits, _ and -",
    ignoresCase: false,
    source: "ECS API CreateCluster, clusterName",
  },
  snsTopic: {
    what: "SNS topic name",
    minLength: 1,
    maxLength: 256,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: "letters, digits, _ and -",
    ignoresCase: false,
    source: "SNS API CreateTopic, Name",
  },
  alarm: {
    what: "CloudWatch alarm name",
    minLength: 1,
    maxLength: 255,
    pattern: /^[^\p{Cc}]+$/u,
    allowed: "printable characters",
    ignoresCase: false,
    source: "CloudWatch API PutMetricAlarm, AlarmName",
  },
  eventRule: {
    what: "EventBridge rule name",
    minLength: 1,
    maxLength: 64,
    pattern: /^[.\-_A-Za-z0-9]+$/,
    allowed: 'letters, digits, ".", "-" and "_"',
    ignoresCase: false,
    source: "EventBridge API PutRule, Name",
  },
  lambdaFunction: {
    what: "Lambda function name",
    minLength: 1,
    maxLength: 64,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: 'letters, digits, "-" and "_"',
    ignoresCase: false,
    source: "Lambda API UpdateFunctionCode, FunctionName",
  },
  cdkQualifier: {
    what: "CDK bootstrap qualifier",
    minLength: 1,
    maxLength: 10,
    pattern: /^[a-z0-9]+$/,
    allowed: "lowercase letters and digits",
    ignoresCase: false,
    source:
      "CDK bootstrapping: the qualifier names the account's bootstrap roles (cdk-<qualifier>-deploy-role-<account>-<region>)",
  },
  scalingPolicy: {
    what: "Application Auto Scaling policy name",
    minLength: 1,
    maxLength: 256,
    pattern: /^[^\p{Cc}:/]+$/u,
    allowed: 'printable characters but ":" and "/"',
    ignoresCase: false,
    source:
      "Application Auto Scaling API PutScalingPolicy, PolicyName (unique per scalable target)",
  },
  githubEnvironment: {
    what: "GitHub environment name",
    minLength: 1,
    maxLength: 255,
    pattern: ENVIRONMENT_NAME_PATTERN,
    allowed: 'letters, digits, "-", "_" and ".", starting with a letter or digit',
    ignoresCase: true,
    source:
      "docs.github.com, Managing environments for deployment: names are not case sensitive, at most 255 characters",
  },
  githubSecret: {
    what: "GitHub environment secret name",
    ...GITHUB_NAME_RULE,
    maxCount: 100,
    source:
      "docs.github.com, Using secrets in GitHub Actions: naming rules; 100 secrets per environment",
  },
  githubVariable: {
    what: "GitHub environment variable name",
    ...GITHUB_NAME_RULE,
    maxCount: 100,
    source:
      "docs.github.com, Store information in variables: naming rules; 100 variables per environment",
  },
  githubRepoSecret: {
    what: "GitHub repository secret name",
    ...GITHUB_NAME_RULE,
    source: "docs.github.com, Using secrets in GitHub Actions: naming rules",
  },
  githubRepoVariable: {
    what: "GitHub repository variable name",
    ...GITHUB_NAME_RULE,
    source: "docs.github.com, Store information in variables: naming rules",
  },
  githubRuleset: {
    what: "GitHub repository ruleset name",
    minLength: 1,
    maxLength: 255,
    pattern: /^[^\p{Cc}]+$/u,
    allowed: "printable characters",
    ignoresCase: false,
    maxCount: 75,
    source:
      "GitHub REST API, Create a repository ruleset: name (unique in the repository); docs.github.com, About rulesets: up to 75 rulesets per repository",
  },
} as const satisfies Record<string, NamespaceRule>;

export type Namespace = keyof typeof NAMESPACES;

/** One physical name, where it comes from and what it is. */
export interface NameEntry {
  readonly namespace: Namespace;
  /** Names unique only within a scope (a cluster's services, a role's inline policies). */
  readonly scope?: string;
  readonly name: string;
  /** The config key the name comes from, for messages. */
  readonly key: string;
  /** What has the name, for messages: "the execution role of service backend". */
  readonly owner: string;
}

/**
 * Problems of the names: each against its namespace's rule, then duplicates within a namespace
 * (and scope), then namespaces holding more names than the service allows.
 */
export function nameProblems(entries: readonly NameEntry[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, NameEntry>();
  const counts = new Map<string, { count: number; first: NameEntry }>();
  for (const entry of entries) {
    const rule: NamespaceRule = NAMESPACES[entry.namespace];
    const { name } = entry;
    if (name.length < rule.minLength || name.length > rule.maxLength) {
      problems.push(
        name.length > rule.maxLength
          ? `${entry.key}: ${entry.owner} would be named "${name}" (${name.length} characters), but an ${rule.what} has at most ${rule.maxLength}. Fix: shorten the names it is made of (delivery:app, the stack name, the key)`
          : `${entry.key}: ${entry.owner} would be named "${name}", but an ${rule.what} has at least ${rule.minLength} characters. Fix: use a longer name`,
      );
    } else if (!rule.pattern.test(name)) {
      problems.push(
        `${entry.key}: ${entry.owner} would be named "${name}", which is not an ${rule.what} (${rule.allowed}). Fix: change the name it comes from`,
      );
    }
    const id = `${entry.namespace}\u0000${entry.scope ?? ""}\u0000${rule.ignoresCase ? name.toLowerCase() : name}`;
    const other = seen.get(id);
    if (other) {
      problems.push(
        `${entry.key}: ${entry.owner} would be named "${name}", like ${other.owner} (${other.key})${rule.ignoresCase && other.name !== name ? `: ${rule.what}s are the same ignoring letter case` : ""}. Fix: give one of them another name`,
      );
    } else {
      seen.set(id, entry);
    }
    const scope = `${entry.namespace}\u0000${entry.scope ?? ""}`;
    const count = counts.get(scope);
    counts.set(scope, { count: (count?.count ?? 0) + 1, first: count?.first ?? entry });
  }
  for (const [scope, { count, first }] of counts) {
    const rule: NamespaceRule = NAMESPACES[scope.split("\u0000")[0] as Namespace];
    if (rule.maxCount !== undefined && count > rule.maxCount) {
      problems.push(
        `${first.key}: the stage would write ${count} ${rule.what}s${first.scope ? ` in ${first.scope}` : ""}; at most ${rule.maxCount} are allowed (${rule.source}). Fix: remove some, or split the services over more stacks`,
      );
    }
  }
  return problems;
}

/** The name entries of the stage's AWS resources and GitHub environment, with their keys. */
export function awsNameEntries(c: DeliveryConfig, names: StageNames): NameEntry[] {
  const entries: NameEntry[] = [];
  const add = (namespace: Namespace, name: string, key: string, owner: string, scope?: string) =>
    entries.push({ namespace, name, key, owner, scope });
  add("iamRole", names.deployRole, `${PROJECT}:deployRole`, "the deploy role");
  const existingRoles = new Set<string>();
  for (const [key, n] of byKey(names.services)) {
    const s = c.services[key];
    const at = `${PROJECT}:services.${key}`;
    const repositoryKey =
      s.existingRepository !== undefined
        ? `${at}.existingRepository`
        : c.adopt.repositories[key] !== undefined
          ? `${PROJECT}:adopt.repositories.${key}`
          : s.repositoryName !== undefined
            ? `${at}.repositoryName`
            : at;
    add("ecrRepository", n.repository, repositoryKey, `the repository of service ${key}`);
    // An image has its repository only: no family, log group or roles of its own to reserve.
    if (n.kind === "image" || !runsTasks(s)) continue;
    add(
      "taskFamily",
      n.family,
      s.family !== undefined ? `${at}.family` : at,
      `the task definition family of service ${key}`,
    );
    add(
      "logGroup",
      n.logGroup,
      c.adopt.logGroups[key] !== undefined ? `${PROJECT}:adopt.logGroups.${key}` : at,
      `the log group of service ${key}`,
    );
    // An existing role may serve several services (or as both roles): it is listed once.
    for (const [name, arn, field, what] of [
      [n.executionRole, s.executionRoleArn, "executionRoleArn", "execution"],
      [n.taskRole, s.taskRoleArn, "taskRoleArn", "task"],
    ] as const) {
      if (arn !== undefined && existingRoles.has(arn)) continue;
      if (arn !== undefined) existingRoles.add(arn);
      add(
        "iamRole",
        name,
        arn !== undefined ? `${at}.${field}` : at,
        `the ${what} role of service ${key}`,
      );
    }
    for (const policy of [n.scalingPolicies.cpu, n.scalingPolicies.memory]) {
      if (policy) {
        add(
          "scalingPolicy",
          policy,
          `${at}.autoscaling`,
          `a scaling policy of service ${key}`,
          n.service,
        );
      }
    }
    if (names.cluster !== undefined) {
      add(
        "ecsService",
        n.service,
        s.existingServiceName !== undefined ? `${at}.existingServiceName` : at,
        `the ECS service of service ${key}`,
        `cluster ${names.cluster}`,
      );
    }
  }
  for (const [fn, key] of byKey(names.lambdaFunctions)) {
    add("lambdaFunction", fn, key, `Lambda function ${fn}`);
  }
  // Bootstrap roles are per account: two stages of one account with one qualifier share them.
  for (const [q, key] of byKey(names.cdkQualifiers)) {
    add("cdkQualifier", q, key, `the CDK bootstrap roles of qualifier ${q}`, names.accountScope);
  }
  // Extra roles after the services' roles: a clash is reported on the role's own key.
  for (const [key, name] of byKey(names.roles)) {
    add("iamRole", name, `${PROJECT}:roles.${key}`, `extra role ${key}`);
  }
  for (const [key, name] of byKey(names.secrets)) {
    const at =
      c.adopt.secrets[key] !== undefined
        ? `${PROJECT}:adopt.secrets.${key}`
        : c.secrets[key].name !== undefined
          ? `${PROJECT}:secrets.${key}.name`
          : `${PROJECT}:secrets.${key}`;
    add("secret", name, at, `secret ${key}`);
  }
  if (names.cluster !== undefined) {
    const at =
      c.adopt.cluster !== undefined ? `${PROJECT}:adopt.cluster` : `${PROJECT}:ecs.cluster`;
    add("ecsCluster", names.cluster, at, "the cluster");
  }
  if (names.fallback) {
    const at = `${PROJECT}:fallback.enabled`;
    add("iamUser", names.fallback.user, at, "the break-glass user");
    add("snsTopic", names.fallback.topic, at, "the break-glass alarm's topic");
    add("alarm", names.fallback.alarm, at, "the break-glass alarm");
    add("eventRule", names.fallback.rule, at, "the break-glass keys' CloudTrail rule");
  }
  if (c.github.manage) {
    const g = names.github;
    const scope = `environment ${g.environment}`;
    add(
      "githubEnvironment",
      g.environment,
      `${PROJECT}:github.environment`,
      "the GitHub environment",
    );
    for (const { name, value } of g.variables) {
      const [key, owner] = variableOwner(name, value);
      add("githubVariable", name, key, owner, scope);
    }
    for (const name of g.secrets) {
      const role = g.roleArnSecrets[name];
      const key = Object.hasOwn(c.github.secrets, name)
        ? `${PROJECT}:github.secrets.${name}`
        : role !== undefined
          ? `${PROJECT}:roles.${role}.githubOutput.name`
          : name === g.deployRoleArn?.name
            ? `${PROJECT}:deployRole.githubOutput.name`
            : `${PROJECT}:github`;
      add("githubSecret", name, key, `secret ${name}`, scope);
    }
    const repository = `repository ${c.github.repository}`;
    for (const [kind, names] of [
      ["githubRepoSecret", g.repository.secrets],
      ["githubRepoVariable", g.repository.variables],
    ] as const) {
      for (const [name, role] of Object.entries(names)) {
        add(
          kind,
          name,
          `${PROJECT}:roles.${role}.githubOutput.name`,
          `role ${role}'s ARN`,
          repository,
        );
      }
    }
    const at = `${PROJECT}:github.rulesets`;
    if (g.rulesets.tags)
      add("githubRuleset", g.rulesets.tags, at, "the deploy tags' ruleset", repository);
    if (g.rulesets.branches) {
      add("githubRuleset", g.rulesets.branches, at, "the deploy branches' ruleset", repository);
    }
  }
  return entries;
}
