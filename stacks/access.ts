/**
 * What each principal of the stage may do, computed once from the stage as data: the grants of
 * the deploy role, the extra roles, the execution roles and the break-glass user, with the exact
 * ARNs they name (as templates: the account and the created secrets' ARNs are filled in when
 * known), laid out into policies that fit IAM's quotas. Components create exactly these policies;
 * the checks, the summary and the policy pack read this instead of re-deriving it.
 */
import { ArnValues, arnTemplate, renderArn, secretToken } from "../lib/arns";
import {
  GrantClass,
  PreviewTargets,
  grantClasses,
  ecrLogin,
  assumeCdkBootstrapRoles,
  deployLambdas,
  ecrPublish,
  ecrPull,
  ecsDeploy,
  previewReadOnly,
  putFallbackMetric,
  readSecrets,
  writeLogs,
} from "../lib/grants";
import { Statement, policyDocument } from "../lib/iam";
import {
  MANAGED_POLICY_SIZE,
  ROLE_INLINE_POLICY_SIZE,
  packPolicies,
  policySize,
} from "../lib/policyPacking";
import { RepositoryRef, Subject, githubTrustPolicy } from "../lib/subjects";
import { NameEntry, policyName } from "./names";
import { PROJECT } from "./project";
import type { Quotas } from "./schema";
import {
  type DeployRulesets,
  type ExtraGrants,
  type ExtraRoleStage,
  type StageWithoutAccess as Stage,
  type TaskServiceStage,
  isPlaced,
  taskServices,
} from "./stage";

/** One policy a principal gets: inline (on the role) or customer-managed (attached). */
export interface PlannedPolicy {
  /** Stable suffix of the resource's logical name: the grant (inline) or the position (managed). */
  readonly key: string;
  /** Physical policy name, from the names table. */
  readonly name: string;
  /** Statements with ARN templates (`lib/arns.ts`). */
  readonly statements: readonly Statement[];
}

/** A principal's grants, and the policies they are laid out in. */
export interface PrincipalAccess {
  /** The role or user name. */
  readonly principal: string;
  /** Grant → statements, as the product composes them (`lib/grants.ts`). */
  readonly grants: Readonly<Record<string, readonly Statement[]>>;
  readonly inline: readonly PlannedPolicy[];
  readonly managed: readonly PlannedPolicy[];
  /** Policies config attaches as they are (`grants.managedPolicyArns`); opaque to the model. */
  readonly attachedPolicyArns: readonly string[];
}

/**
 * What can start a job that may assume a GitHub Actions role: a job in an environment, a job
 * without one on a branch or tag, or a pull request.
 */
export type Trigger =
  | {
      readonly kind: "environment";
      readonly name: string;
      /** The stage's own environment, whose protection this stack writes. */
      readonly managed: boolean;
    }
  | {
      readonly kind: "branch" | "tag";
      readonly pattern: string;
      /** Every branch (or tag) matches: anyone who can push one gets in. */
      readonly any: boolean;
    }
  | { readonly kind: "pullRequest" };

/** One way into a role: the trigger, the repository it runs in, the config key that says so. */
export interface TrustEdge {
  readonly trigger: Trigger;
  readonly repository: string;
  readonly key: string;
}

/** A GitHub Actions role: its grants, and who can start a job that assumes it. */
export interface GithubRoleAccess extends PrincipalAccess {
  readonly trustedBy: readonly TrustEdge[];
  /** What its grants give away. */
  readonly classes: readonly GrantClass[];
}

/** What stands in front of the stage's environment, as this stack writes it. */
export interface EnvironmentProtection {
  readonly name: string;
  readonly repository: string;
  /** The stack writes the environment and its protection (`delivery:github.manage`). */
  readonly managed: boolean;
  readonly reviewers: readonly string[];
  readonly preventSelfReview: boolean;
  readonly canAdminsBypass: boolean;
  readonly waitTimerMinutes: number;
  readonly deployBranches: readonly string[];
  readonly deployTags: readonly string[];
  /** A deploy pattern matches every branch or every tag. */
  readonly anyRef: boolean;
  /** Rulesets on the deploy refs (who may create or move them); undefined: anyone who may push. */
  readonly rulesets?: DeployRulesets;
}

/** Everything the stage's principals may do, and who can reach them. */
export interface StageAccess {
  /** None when the stage has no services. */
  readonly deployRole?: GithubRoleAccess;
  /** Extra role key → its access. */
  readonly roles: Readonly<Record<string, GithubRoleAccess>>;
  readonly environment: EnvironmentProtection;
  /** Service key → its execution role's access; none for an existing execution role. */
  readonly executionRoles: Readonly<Partial<Record<string, PrincipalAccess>>>;
  readonly fallbackUser?: PrincipalAccess;
  /**
   * AWS services that act on the stage's resources through their own service-linked roles,
   * because the stage asked them to (Application Auto Scaling setting a service's task count).
   */
  readonly awsServices: readonly AwsServiceAccess[];
}

/** An AWS service acting on the stage's resources with its service-linked role. */
export interface AwsServiceAccess {
  /** Who: "Application Auto Scaling". */
  readonly service: string;
  /** Its service-linked role. */
  readonly principal: string;
  /** What bounds it, for the plan: "between 2 and 10 tasks". */
  readonly bounds: string;
  /** What it does on the stage's resources (ARN templates). */
  readonly statements: readonly Statement[];
}

/** The stage's GitHub Actions roles: the deploy role (when there is one) and the extra roles. */
export function githubRoles(access: StageAccess): GithubRoleAccess[] {
  return [...(access.deployRole ? [access.deployRole] : []), ...Object.values(access.roles)];
}

/** A ref pattern that matches every branch or tag: nothing but `*` and `/` after the prefix. */
export const matchesAnyRef = (pattern: string): boolean => /^[*/]+$/.test(pattern);

/** The trigger a subject stands for. */
function triggerOf(subject: Subject, environment: string, managed: boolean): Trigger {
  switch (subject.kind) {
    case "environment":
      return {
        kind: "environment",
        name: subject.value,
        managed: managed && subject.value.toLowerCase() === environment.toLowerCase(),
      };
    case "ref": {
      const tag = subject.value.startsWith("refs/tags/");
      const name = subject.value.replace(/^refs\/(heads|tags)\//, "");
      return { kind: tag ? "tag" : "branch", pattern: name, any: matchesAnyRef(name) };
    }
    case "pull_request":
      return { kind: "pullRequest" };
  }
}

/** Who can start a job that assumes a role trusting these subjects; `keyOf` names each's key. */
function trustEdges(
  stage: Stage,
  subjects: readonly Subject[],
  repo: RepositoryRef,
  keyOf: (index: number) => string,
): TrustEdge[] {
  // The app repository's own environment is the one this stack protects.
  const ownRepo = repo.owner === stage.repo.owner && repo.repository === stage.repo.repository;
  return subjects.map((subject, i) => ({
    trigger: triggerOf(subject, stage.github.environment, ownRepo && stage.github.manage),
    repository: `${repo.owner}/${repo.repository}`,
    key: keyOf(i),
  }));
}

/** The stage environment's protection, as the stack writes it. */
function environmentProtection(stage: Stage): EnvironmentProtection {
  const g = stage.github;
  return {
    name: g.environment,
    repository: `${stage.repo.owner}/${stage.repo.repository}`,
    managed: g.manage,
    reviewers: [
      ...g.protection.users.map((u) => `user ${u}`),
      ...g.protection.teams.map((t) => `team ${t}`),
    ],
    preventSelfReview: g.protection.preventSelfReview,
    canAdminsBypass: g.protection.canAdminsBypass,
    waitTimerMinutes: g.protection.waitTimerMinutes,
    deployBranches: g.deployBranches,
    deployTags: g.deployTags,
    anyRef: [...g.deployBranches, ...g.deployTags].some(matchesAnyRef),
    rulesets: g.rulesets,
  };
}

/** The IAM quotas that apply to the stage's account, defaults or raised. */
export type QuotaSettings = Required<Quotas>;

/** The ARN of a stage secret: the adopted one's, or a token for one the stack creates. */
function secretArnTemplate(stage: Stage, key: string): string {
  return stage.secrets.find((s) => s.key === key)?.adoptArn ?? secretToken(key);
}

/** Values that render every template at its real length, before the account is known. */
export function sizingValues(stage: Stage): ArnValues {
  const accountId = "000000000000";
  return {
    accountId,
    secretArns: Object.fromEntries(
      stage.secrets.map((s) => [
        s.key,
        s.adoptArn ??
          renderArn(arnTemplate.secretForSizing(stage, s.name), { accountId, secretArns: {} }),
      ]),
    ),
  };
}

/** Renders every string of a statement (resources and condition values). */
export function renderStatements(statements: readonly Statement[], values: ArnValues): Statement[] {
  const render = (v: unknown): unknown =>
    typeof v === "string"
      ? renderArn(v, values)
      : Array.isArray(v)
        ? v.map(render)
        : typeof v === "object" && v !== null
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)]))
          : v;
  return statements.map((s) => render(s) as Statement);
}

/** A service's execution and task role ARNs: existing ones as config gives them, else ours. */
const serviceRoleArns =
  (stage: Stage) =>
  (s: TaskServiceStage): string[] => [
    s.existingExecutionRoleArn ?? arnTemplate.role(stage, s.names.executionRole),
    s.existingTaskRoleArn ?? arnTemplate.role(stage, s.names.taskRole),
  ];

/** The stage's services that run on ECS (task definitions, roles, log groups). */
const tasks = (stage: Stage): readonly TaskServiceStage[] => taskServices(stage.services);

/** The stage's services that run on its cluster (created or existing ECS services). */
const placed = (stage: Stage): readonly TaskServiceStage[] =>
  tasks(stage).filter((s) => isPlaced(stage.ecs, s));

/**
 * The deploy role's grants; the break-glass user gets the same. Push to every service's
 * repository; ECS only for the services that run there, so a stage of images only gets none.
 */
function deployGrants(stage: Stage): Record<string, Statement[]> {
  const cluster = stage.ecs.cluster?.name ?? "";
  const onEcs = tasks(stage);
  return {
    ...(stage.deployRole ? addedGrants(stage, stage.deployRole.grants) : {}),
    ecr: ecrPublish(stage.services.map((s) => arnTemplate.repository(stage, s.names.repository))),
    ...(onEcs.length > 0
      ? {
          ecs: ecsDeploy({
            services: placed(stage).map((s) => ({
              serviceArn: arnTemplate.service(stage, cluster, s.names.service),
              familyArn: arnTemplate.taskFamily(stage, s.names.family),
            })),
            passRoleArns: onEcs.flatMap(serviceRoleArns(stage)),
            familyArns: onEcs.map((s) => arnTemplate.taskFamily(stage, s.names.family)),
            publicIp: stage.ecs.network?.assignPublicIp ?? false,
            cluster: stage.ecs.cluster && {
              arn: arnTemplate.cluster(stage, cluster),
              tasks: arnTemplate.clusterTasks(stage, cluster),
              tags: { app: stage.app, stage: stage.name },
            },
          }),
        }
      : {}),
  };
}

/** What a read-only preview of the stage may look at: exactly its own resources. */
function previewTargets(stage: Stage): PreviewTargets {
  const cluster = stage.ecs.cluster;
  return {
    oidcProviderArn: stage.oidc.arn ?? arnTemplate.githubOidcProvider(stage),
    roleArns: [
      ...(stage.deployRole ? [arnTemplate.role(stage, stage.deployRole.name)] : []),
      ...tasks(stage).flatMap(serviceRoleArns(stage)),
    ],
    repositoryArns: stage.services.map((s) => arnTemplate.repository(stage, s.names.repository)),
    clusterArns: cluster ? [arnTemplate.cluster(stage, cluster.name)] : [],
    serviceArns: placed(stage).map((s) =>
      arnTemplate.service(stage, cluster?.name ?? "", s.names.service),
    ),
    logGroupArns: tasks(stage).map((s) => arnTemplate.logGroup(stage, s.names.logGroup)),
    secretArns: stage.secrets.map((s) => secretArnTemplate(stage, s.key)),
  };
}

/** The CDK bootstrap roles `cdk deploy` assumes. */
const CDK_BOOTSTRAP_ROLES = ["deploy", "file-publishing", "image-publishing", "lookup"] as const;

/** The grants either kind of role may add: secrets, CDK, Lambda (attached policies aside). */
function addedGrants(stage: Stage, grants: ExtraGrants): Record<string, Statement[]> {
  const kms = stage.secretsKmsKeyArn ? [stage.secretsKmsKeyArn] : [];
  const cdk = grants.cdkBootstrap;
  return {
    ...(grants.readSecrets.length > 0
      ? {
          secrets: readSecrets(
            grants.readSecrets.map((k) => secretArnTemplate(stage, k)),
            kms,
          ),
        }
      : {}),
    ...(cdk
      ? {
          cdk: assumeCdkBootstrapRoles(
            CDK_BOOTSTRAP_ROLES.map((kind) =>
              arnTemplate.cdkBootstrapRole(stage, cdk.qualifier, kind),
            ),
          ),
        }
      : {}),
    ...(grants.lambdaFunctions.length > 0
      ? {
          lambda: deployLambdas(
            grants.lambdaFunctions.map((f) => arnTemplate.lambdaFunction(stage, f)),
          ),
        }
      : {}),
  };
}

/** An extra role's grants: only what its config names. */
function extraRoleGrants(stage: Stage, role: ExtraRoleStage): Record<string, Statement[]> {
  const repositories = new Map(stage.services.map((s) => [s.key, s.names.repository]));
  return {
    ...addedGrants(stage, role.grants),
    ...(role.grants.pushRepositories.length > 0
      ? {
          ecr: ecrPublish(
            role.grants.pushRepositories.map((k) =>
              arnTemplate.repository(stage, repositories.get(k) ?? k),
            ),
          ),
        }
      : {}),
    ...(role.grants.previewReadOnly ? { readonly: previewReadOnly(previewTargets(stage)) } : {}),
  };
}

/** An execution role's one grant: pull its image, write its logs, read exactly its secrets. */
function executionGrants(stage: Stage, svc: TaskServiceStage): Record<string, Statement[]> {
  return {
    execution: [
      ecrLogin(),
      ...ecrPull([arnTemplate.repository(stage, svc.names.repository)]),
      ...writeLogs(arnTemplate.logGroup(stage, svc.names.logGroup)),
      // readSecrets de-duplicates and sorts: two variables may read the same secret.
      ...readSecrets(
        svc.secrets.map((r) => secretArnTemplate(stage, r.secret)),
        stage.secretsKmsKeyArn ? [stage.secretsKmsKeyArn] : [],
      ),
    ],
  };
}

/** Where a layout problem is reported, and what is laid out. */
interface Principal {
  readonly principal: string;
  readonly key: string;
  readonly what: string;
  readonly grants: Record<string, Statement[]>;
  /** Room for inline policies (0: managed only, as for users, whose inline quota is tiny). */
  readonly inlineSize: number;
  /** Managed policies the principal may have attached, and how many config attaches already. */
  readonly managedSlots: number;
  readonly attached: number;
  /** The quota that bounds `managedSlots`, for the message. */
  readonly quota: string;
  readonly quotaKey: keyof QuotaSettings;
  /** Inline policy names for a grant (the execution role keeps its one policy's own name). */
  readonly inlineName: (grant: string) => string;
  /** Policies config attaches as they are. */
  readonly attachedPolicyArns?: readonly string[];
}

/** Lays out one principal's grants, with a problem when they cannot fit. */
function layOut(p: Principal, values: ArnValues, problems: string[]): PrincipalAccess {
  // Sized with every ARN at its real length: the layout holds for the real ARNs.
  const layout = packPolicies(
    p.grants,
    { inlineSize: p.inlineSize, managedSize: MANAGED_POLICY_SIZE },
    (doc) => policySize(policyDocument(renderStatements(doc.Statement, values))),
  );
  const attached = p.attached + (p.attachedPolicyArns?.length ?? 0);
  if (layout.managed.length + attached > p.managedSlots) {
    problems.push(
      `${p.key}: ${p.what} needs ${layout.managed.length} customer-managed policies for its grants${attached ? ` and has ${attached} attached by config` : ""}, over IAM's quota "${p.quota}" of ${p.managedSlots}. Fix: raise the quota in Service Quotas (IAM) and set delivery:quotas.${p.quotaKey} to the new value, or split the services over more stacks`,
    );
  }
  return {
    principal: p.principal,
    grants: p.grants,
    attachedPolicyArns: p.attachedPolicyArns ?? [],
    inline: layout.inline.map((policy) => ({
      key: policy.key,
      name: p.inlineName(policy.key),
      statements: policy.statements,
    })),
    managed: layout.managed.map((policy) => ({
      key: policy.key,
      name: policyName(p.principal, policy.key),
      statements: policy.statements,
    })),
  };
}

/** The stage's access: every principal's grants and their layout, and what cannot fit. */
export function stageAccess(
  stage: Stage,
  quotas: QuotaSettings,
): { access: StageAccess; problems: string[]; names: NameEntry[] } {
  const problems: string[] = [];
  const values = sizingValues(stage);
  const role = (
    principal: string,
    key: string,
    what: string,
    grants: Record<string, Statement[]>,
    attachedPolicyArns: readonly string[],
  ) =>
    layOut(
      {
        principal,
        key,
        what,
        grants,
        inlineSize: ROLE_INLINE_POLICY_SIZE,
        managedSlots: quotas.managedPoliciesPerRole,
        attached: 0,
        quota: "Managed policies per role",
        quotaKey: "managedPoliciesPerRole",
        inlineName: (grant) => policyName(principal, grant),
        attachedPolicyArns,
      },
      values,
      problems,
    );
  const deploy = deployGrants(stage);
  const githubRole = (
    access: PrincipalAccess,
    subjects: readonly Subject[],
    repo: RepositoryRef,
    keyOf: (index: number) => string,
  ): GithubRoleAccess => ({
    ...access,
    trustedBy: trustEdges(stage, subjects, repo, keyOf),
    // An attached policy is opaque to the model: it may change anything or read a secret.
    classes: [
      ...new Set([
        ...grantClasses(Object.values(access.grants).flat()),
        ...(access.attachedPolicyArns.length > 0 ? (["write", "secret"] as const) : []),
      ]),
    ].sort(),
  });
  const access: StageAccess = {
    deployRole: stage.deployRole
      ? githubRole(
          role(
            stage.deployRole.name,
            `${PROJECT}:deployRole`,
            "the deploy role",
            deploy,
            stage.deployRole.grants.managedPolicyArns,
          ),
          stage.deployRole.subjects,
          stage.repo,
          // The deploy role's first subject is the stage's environment; config's own come after.
          (i) =>
            i === 0 ? `${PROJECT}:github.environment` : `${PROJECT}:deployRole.subjects[${i - 1}]`,
        )
      : undefined,
    roles: Object.fromEntries(
      stage.roles.map((r) => [
        r.key,
        githubRole(
          role(
            r.name,
            `${PROJECT}:roles.${r.key}`,
            `extra role ${r.key}`,
            extraRoleGrants(stage, r),
            r.grants.managedPolicyArns,
          ),
          r.subjects,
          r.repo,
          (i) => `${PROJECT}:roles.${r.key}.subjects[${i}]`,
        ),
      ]),
    ),
    environment: environmentProtection(stage),
    executionRoles: Object.fromEntries(
      tasks(stage)
        .filter((svc) => !svc.existingExecutionRoleArn)
        .map((svc) => [
          svc.key,
          layOut(
            {
              principal: svc.names.executionRole,
              key: `${PROJECT}:services.${svc.key}.secrets`,
              what: `the execution role of service ${svc.key}`,
              grants: executionGrants(stage, svc),
              inlineSize: ROLE_INLINE_POLICY_SIZE,
              managedSlots: quotas.managedPoliciesPerRole,
              attached: 0,
              quota: "Managed policies per role",
              quotaKey: "managedPoliciesPerRole",
              inlineName: () => svc.names.executionPolicy,
            },
            values,
            problems,
          ),
        ]),
    ),
    fallbackUser: stage.fallback.names
      ? layOut(
          {
            principal: stage.fallback.names.user,
            key: `${PROJECT}:fallback.enabled`,
            what: "the break-glass user",
            // What the deploy role may, and recording its own use, which only it does.
            grants: { ...deploy, metrics: [putFallbackMetric()] },
            // A user's inline policies may total only 2,048 characters: managed policies only.
            inlineSize: 0,
            managedSlots: quotas.managedPoliciesPerUser,
            attached: 0,
            quota: "Managed policies per user",
            quotaKey: "managedPoliciesPerUser",
            inlineName: (grant) => policyName(stage.fallback.names?.user ?? "", grant),
          },
          values,
          problems,
        )
      : undefined,
    awsServices: awsServiceAccess(stage),
  };
  problems.push(...trustProblems(stage, quotas, values));
  return { access, problems, names: policyNameEntries(access) };
}

/** Application Auto Scaling sets the task count of each autoscaled service, within its range. */
function awsServiceAccess(stage: Stage): AwsServiceAccess[] {
  const cluster = stage.ecs.cluster?.name ?? "";
  return placed(stage).flatMap((s) =>
    s.autoscaling
      ? [
          {
            service: `Application Auto Scaling (service ${s.key})`,
            principal: "AWSServiceRoleForApplicationAutoScaling_ECSService",
            bounds: `between ${s.autoscaling.minTasks} and ${s.autoscaling.maxTasks} tasks, tracking ${[
              ...(s.autoscaling.cpuTarget !== undefined
                ? [`CPU at ${s.autoscaling.cpuTarget} %`]
                : []),
              ...(s.autoscaling.memoryTarget !== undefined
                ? [`memory at ${s.autoscaling.memoryTarget} %`]
                : []),
            ].join(" and ")}`,
            statements: [
              {
                Effect: "Allow",
                Action: ["ecs:DescribeServices", "ecs:UpdateService"],
                Resource: arnTemplate.service(stage, cluster, s.names.service),
              },
            ],
          },
        ]
      : [],
  );
}

/** Trust policies longer than IAM's "Role trust policy length" quota. */
function trustProblems(stage: Stage, quotas: QuotaSettings, values: ArnValues): string[] {
  const providerArn = renderArn(stage.oidc.arn ?? arnTemplate.githubOidcProvider(stage), values);
  const roles = [
    ...(stage.deployRole
      ? [
          {
            key: `${PROJECT}:deployRole.subjects`,
            what: "the deploy role",
            repo: stage.repo,
            subjects: stage.deployRole.subjects,
            format: stage.github.subjectFormat,
          },
        ]
      : []),
    ...stage.roles.map((r) => ({
      key: `${PROJECT}:roles.${r.key}.subjects`,
      what: `extra role ${r.key}`,
      repo: r.repo,
      subjects: r.subjects,
      format: r.subjectFormat,
    })),
  ];
  return roles.flatMap((r) => {
    const size = policySize(
      githubTrustPolicy({ providerArn, repo: r.repo, subjects: r.subjects, format: r.format }),
    );
    return size > quotas.roleTrustPolicyLength
      ? [
          `${r.key}: the trust policy of ${r.what} would be ${size} characters, over IAM's quota "Role trust policy length" of ${quotas.roleTrustPolicyLength}. Fix: trust fewer subjects (an environment instead of many refs), or raise the quota in Service Quotas (IAM) and set delivery:quotas.roleTrustPolicyLength to the new value`,
        ]
      : [];
  });
}

/** The names of the planned policies, for the names table's checks. */
function policyNameEntries(access: StageAccess): NameEntry[] {
  const principals: [PrincipalAccess | undefined, string][] = [
    [access.deployRole, `${PROJECT}:deployRole`],
    ...Object.entries(access.roles).map(([k, a]): [PrincipalAccess, string] => [
      a,
      `${PROJECT}:roles.${k}`,
    ]),
    ...Object.entries(access.executionRoles).map(
      ([k, a]): [PrincipalAccess | undefined, string] => [a, `${PROJECT}:services.${k}`],
    ),
    [access.fallbackUser, `${PROJECT}:fallback.enabled`],
  ];
  return principals.flatMap(([a, key]) =>
    a
      ? [
          ...a.inline.map((p): NameEntry => ({
            namespace: "iamPolicy",
            name: p.name,
            key,
            owner: `the inline policy ${p.key} of ${a.principal}`,
            scope: a.principal,
          })),
          ...a.managed.map((p): NameEntry => ({
            namespace: "iamPolicy",
            name: p.name,
            key,
            owner: `managed policy ${p.key} of ${a.principal}`,
          })),
        ]
      : [],
  );
}
