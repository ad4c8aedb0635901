/**
 * The permission statements the product grants, as pure functions of exact ARNs. Roles compose
 * them: the deploy role takes the ECR and ECS grants, an execution role its pull, log and secret
 * grants, an extra role only what its config names. Nothing here grants `*` actions, and only
 * the actions AWS cannot scope get `Resource: "*"`.
 */
import { Statement } from "./iam";

/** Service principal of ECS tasks; `iam:PassRole` is limited to it. */
export const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";

/** Actions to pull an image from a repository. */
export const ECR_PULL_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
];
/** Actions to push an image and look at what is there. */
export const ECR_PUSH_ACTIONS = [
  "ecr:CompleteLayerUpload",
  "ecr:DescribeImages",
  "ecr:DescribeRepositories",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];

const sorted = (values: readonly string[]) => [...new Set(values)].sort();

/** `docker login` to ECR: the only ECR action that needs `*` (it is not repository-scoped). */
export function ecrLogin(): Statement {
  return { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" };
}

/** Pull from exactly these repositories. */
export function ecrPull(repositoryArns: readonly string[]): Statement[] {
  if (repositoryArns.length === 0) return [];
  return [
    { Sid: "EcrPull", Effect: "Allow", Action: ECR_PULL_ACTIONS, Resource: sorted(repositoryArns) },
  ];
}

/** `docker login`, then push to and pull from exactly these repositories. */
export function ecrPublish(repositoryArns: readonly string[]): Statement[] {
  return [ecrLogin(), ...ecrPushPull(repositoryArns)];
}

/** Push to and pull from exactly these repositories. */
export function ecrPushPull(repositoryArns: readonly string[]): Statement[] {
  if (repositoryArns.length === 0) return [];
  return [
    {
      Sid: "EcrPushPull",
      Effect: "Allow",
      Action: sorted([...ECR_PULL_ACTIONS, ...ECR_PUSH_ACTIONS]),
      Resource: sorted(repositoryArns),
    },
  ];
}

/** Inputs of {@link ecsDeploy}. */
export interface EcsDeployTargets {
  /** The services CI may update, each with its own family (`…:task-definition/<family>:*`). */
  readonly services: readonly { readonly serviceArn: string; readonly familyArn: string }[];
  /** Task and execution roles CI hands to new task definition revisions. */
  readonly passRoleArns: readonly string[];
  /** The stage's task definition families, as `…:task-definition/<family>:*`. */
  readonly familyArns: readonly string[];
  /** The stage's services may get a public IP (`delivery:ecs.network.assignPublicIp`). */
  readonly publicIp: boolean;
  /**
   * The cluster the services run on: its ARN, the pattern of its tasks' ARNs
   * (`…:task/<cluster>/*`) and the tags the stage's tasks carry, for reading why a deployment's
   * tasks stopped.
   */
  readonly cluster?: StageTasks;
}

/**
 * Register task definition revisions in exactly the stage's families and roll them out to exactly
 * these services. `RegisterTaskDefinition` takes the `task-definition` resource type (AWS's Service
 * Authorization Reference, since 2025); `DescribeTaskDefinition` takes none, so it gets `*`.
 * `UpdateService` may only roll out a revision of the stage's families (`ecs:task-definition`),
 * never turn on ECS Exec, and never add a public IP unless the stage's network has one.
 * `iam:PassRole` only towards ECS tasks. To say why a deployment failed, the workflow may list
 * and describe the stopped tasks of the stage's cluster ({@link readStoppedTasks}).
 */
export function ecsDeploy(targets: EcsDeployTargets): Statement[] {
  const statements: Statement[] = [
    {
      Sid: "EcsDescribeTaskDefinitions",
      Effect: "Allow",
      Action: "ecs:DescribeTaskDefinition",
      Resource: "*",
    },
  ];
  if (targets.familyArns.length > 0) {
    statements.push(
      {
        Sid: "EcsRegisterTaskDefinitions",
        Effect: "Allow",
        Action: "ecs:RegisterTaskDefinition",
        Resource: sorted(targets.familyArns),
      },
      {
        // Security Hub ECS.4: no privileged containers, whatever the revision says.
        Sid: "EcsNoPrivilegedContainers",
        Effect: "Deny",
        Action: "ecs:RegisterTaskDefinition",
        Resource: "*",
        Condition: { StringEquals: { "ecs:privileged": "true" } },
      },
    );
  }
  if (targets.services.length > 0) {
    const services = [...targets.services].sort((a, b) => a.serviceArn.localeCompare(b.serviceArn));
    statements.push(
      {
        Sid: "EcsDescribeServices",
        Effect: "Allow",
        Action: "ecs:DescribeServices",
        Resource: sorted(services.map((s) => s.serviceArn)),
      },
      // One statement a service: it may roll out only revisions of its own family. A revision of
      // another family (another stage's, with that stage's task role) is refused.
      ...services.map((s, i): Statement => ({
        Sid: `EcsDeployService${i + 1}`,
        Effect: "Allow",
        Action: "ecs:UpdateService",
        Resource: s.serviceArn,
        Condition: { ArnLikeIfExists: { "ecs:task-definition": s.familyArn } },
      })),
      {
        Sid: "EcsNoExecuteCommand",
        Effect: "Deny",
        Action: "ecs:UpdateService",
        Resource: "*",
        Condition: { StringEquals: { "ecs:enable-execute-command": "true" } },
      },
      ...(targets.cluster ? readStoppedTasks(targets.cluster) : []),
      ...(targets.publicIp
        ? []
        : [
            {
              // Security Hub ECS.2: no public IP unless config gives the network one.
              Sid: "EcsNoPublicIp",
              Effect: "Deny" as const,
              Action: "ecs:UpdateService",
              Resource: "*",
              Condition: { Bool: { "ecs:auto-assign-public-ip": "true" } },
            },
          ]),
    );
  }
  if (targets.passRoleArns.length > 0) {
    statements.push({
      Sid: "PassTaskRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: sorted(targets.passRoleArns),
      Condition: { StringEquals: { "iam:PassedToService": ECS_TASKS_SERVICE } },
    });
  }
  return statements;
}

/** A cluster, the ARNs of its tasks, and the tags that tell the stage's tasks from others'. */
export interface StageTasks {
  readonly arn: string;
  /** `…:task/<cluster>/*`. */
  readonly tasks: string;
  /** The program's tags the stage's tasks carry: `app` and `stage`. */
  readonly tags: { readonly app: string; readonly stage: string };
}

/**
 * List and describe the tasks of one cluster: what a failed deployment's summary reads (the
 * stopped tasks' reasons). The Service Authorization Reference gives ListTasks the
 * `container-instance` resource type, but listing a cluster's tasks (no container instance named)
 * is authorized on `*` (AccessDenied "on resource: *", cdklabs/construct-hub#1207), so the
 * `ecs:cluster` condition it offers bounds it to the cluster. DescribeTasks takes the `task`
 * resource type, whose ARN names the cluster, and `aws:ResourceTag/*`, which names the stage.
 */
export function readStoppedTasks(cluster: StageTasks): Statement[] {
  return [
    {
      Sid: "EcsListClusterTasks",
      Effect: "Allow",
      Action: "ecs:ListTasks",
      Resource: "*",
      Condition: { ArnEquals: { "ecs:cluster": cluster.arn } },
    },
    {
      Sid: "EcsDescribeClusterTasks",
      Effect: "Allow",
      Action: "ecs:DescribeTasks",
      Resource: cluster.tasks,
      // Only the stage's own tasks, which carry its services' tags (propagateTags: SERVICE):
      // on a shared cluster, another app's tasks (and their overrides) stay unreadable.
      Condition: {
        StringEquals: Object.fromEntries(
          Object.entries(cluster.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
        ),
      },
    },
  ];
}

/** Read exactly these secrets (and decrypt them with their customer-managed keys, if any). */
export function readSecrets(
  secretArns: readonly string[],
  kmsKeyArns: readonly string[] = [],
): Statement[] {
  if (secretArns.length === 0) return [];
  const statements: Statement[] = [
    {
      Sid: "ReadSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: sorted(secretArns),
    },
  ];
  if (kmsKeyArns.length > 0) {
    statements.push({
      Sid: "ReadSecretsDecrypt",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: sorted(kmsKeyArns),
      // The key may decrypt only on behalf of Secrets Manager, not for direct calls.
      Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
    });
  }
  return statements;
}

/**
 * Assume this account's CDK bootstrap roles (deploy, file and image publishing, lookup) of one
 * qualifier: what `cdk deploy` needs, and nothing the bootstrap roles do not already bound.
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
 */
export function assumeCdkBootstrapRoles(roleArns: readonly string[]): Statement[] {
  return roleArns.length === 0
    ? []
    : [
        {
          Sid: "AssumeCdkBootstrapRoles",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Resource: sorted(roleArns),
        },
      ];
}

/** Actions that deploy a Lambda function's code and configuration, with versions and aliases. */
export const LAMBDA_DEPLOY_ACTIONS = [
  "lambda:CreateAlias",
  "lambda:GetAlias",
  "lambda:GetFunction",
  "lambda:GetFunctionConfiguration",
  "lambda:ListVersionsByFunction",
  "lambda:PublishVersion",
  "lambda:UpdateAlias",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
] as const;

/**
 * Deploy exactly these Lambda functions: their code, configuration, versions and aliases (the
 * function ARN and its qualified forms). Changing a function's execution role would also need
 * iam:PassRole, which is not granted.
 */
export function deployLambdas(functionArns: readonly string[]): Statement[] {
  return functionArns.length === 0
    ? []
    : [
        {
          Sid: "DeployLambdaFunctions",
          Effect: "Allow",
          Action: [...LAMBDA_DEPLOY_ACTIONS],
          Resource: sorted(functionArns.flatMap((arn) => [arn, `${arn}:*`])),
        },
      ];
}

/** Write container logs to exactly this log group. */
export function writeLogs(logGroupArn: string): Statement[] {
  return [
    {
      Sid: "WriteLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${logGroupArn.replace(/:\*$/, "")}:log-stream:*`,
    },
  ];
}

/** What a read-only preview of the stage may look at. */
export interface PreviewTargets {
  readonly oidcProviderArn: string;
  readonly roleArns: readonly string[];
  readonly repositoryArns: readonly string[];
  readonly clusterArns: readonly string[];
  readonly serviceArns: readonly string[];
  readonly logGroupArns: readonly string[];
  readonly secretArns: readonly string[];
}

/**
 * Read-only access for `pulumi preview` of the stage: describe exactly its own resources, never
 * read a secret value. Only the list/describe calls AWS cannot scope get `*`.
 */
export function previewReadOnly(t: PreviewTargets): Statement[] {
  const scoped = (Sid: string, Action: string[], arns: readonly string[]): Statement[] =>
    arns.length ? [{ Sid, Effect: "Allow", Action, Resource: sorted(arns) }] : [];
  return [
    {
      Sid: "PreviewUnscopable",
      Effect: "Allow",
      Action: [
        "ecs:DescribeTaskDefinition",
        "iam:ListOpenIDConnectProviders",
        "logs:DescribeLogGroups",
      ],
      Resource: "*",
    },
    ...scoped("PreviewOidcProvider", ["iam:GetOpenIDConnectProvider"], [t.oidcProviderArn]),
    ...scoped(
      "PreviewRoles",
      ["iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies"],
      t.roleArns,
    ),
    ...scoped(
      "PreviewRepositories",
      ["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:ListTagsForResource"],
      t.repositoryArns,
    ),
    ...scoped("PreviewClusters", ["ecs:DescribeClusters"], t.clusterArns),
    ...scoped("PreviewServices", ["ecs:DescribeServices"], t.serviceArns),
    ...scoped("PreviewLogGroups", ["logs:ListTagsForResource"], t.logGroupArns),
    ...scoped("PreviewSecrets", ["secretsmanager:DescribeSecret"], t.secretArns),
  ];
}

/** Namespace and name of the metric that records every use of the break-glass keys. */
export const FALLBACK_METRIC = { namespace: "CICD", name: "FallbackAccessKeysUsed" } as const;

/**
 * Record a use of the break-glass keys. `PutMetricData` has no resource-level scoping, so the
 * statement is limited to the one namespace by condition instead.
 */
export function putFallbackMetric(): Statement {
  return {
    Sid: "RecordFallbackUse",
    Effect: "Allow",
    Action: "cloudwatch:PutMetricData",
    Resource: "*",
    Condition: { StringEquals: { "cloudwatch:namespace": FALLBACK_METRIC.namespace } },
  };
}

/** What granting an action gives away: reading metadata, changing something, or a secret. */
export type GrantClass = "read" | "write" | "secret";

/**
 * Every action the product grants, classified. A grant with an action missing here is a program
 * error, so a new grant kind is classified (and so reaches the invariants) when it is added.
 * Pulling an image counts as reading; writing logs and metrics and passing roles as writing.
 */
export const ACTION_CLASSES: Readonly<Record<string, GrantClass>> = {
  "ecr:GetAuthorizationToken": "read",
  "ecr:BatchCheckLayerAvailability": "read",
  "ecr:BatchGetImage": "read",
  "ecr:GetDownloadUrlForLayer": "read",
  "ecr:DescribeImages": "read",
  "ecr:DescribeRepositories": "read",
  "ecr:GetLifecyclePolicy": "read",
  "ecr:ListTagsForResource": "read",
  "ecr:CompleteLayerUpload": "write",
  "ecr:InitiateLayerUpload": "write",
  "ecr:PutImage": "write",
  "ecr:UploadLayerPart": "write",
  "ecs:DescribeTaskDefinition": "read",
  "ecs:DescribeServices": "read",
  "ecs:DescribeClusters": "read",
  "ecs:ListTasks": "read",
  "ecs:DescribeTasks": "read",
  "ecs:RegisterTaskDefinition": "write",
  "ecs:UpdateService": "write",
  "iam:PassRole": "write",
  "iam:GetOpenIDConnectProvider": "read",
  "iam:ListOpenIDConnectProviders": "read",
  "iam:GetRole": "read",
  "iam:GetRolePolicy": "read",
  "iam:ListAttachedRolePolicies": "read",
  "iam:ListRolePolicies": "read",
  "logs:CreateLogStream": "write",
  "logs:PutLogEvents": "write",
  "logs:DescribeLogGroups": "read",
  "logs:ListTagsForResource": "read",
  "secretsmanager:DescribeSecret": "read",
  "secretsmanager:GetSecretValue": "secret",
  "kms:Decrypt": "secret",
  "cloudwatch:PutMetricData": "write",
  "sts:AssumeRole": "write",
  "lambda:CreateAlias": "write",
  "lambda:GetAlias": "read",
  "lambda:GetFunction": "read",
  "lambda:GetFunctionConfiguration": "read",
  "lambda:ListVersionsByFunction": "read",
  "lambda:PublishVersion": "write",
  "lambda:UpdateAlias": "write",
  "lambda:UpdateFunctionCode": "write",
  "lambda:UpdateFunctionConfiguration": "write",
};

/** The classes of what these statements allow (denies take nothing away from the class). */
export function grantClasses(statements: readonly Statement[]): Set<GrantClass> {
  const classes = new Set<GrantClass>();
  for (const s of statements.filter((x) => x.Effect === "Allow")) {
    for (const action of Array.isArray(s.Action) ? s.Action : [s.Action]) {
      const c = ACTION_CLASSES[action];
      if (c === undefined) {
        throw new Error(`lib/grants.ts: ${action} is granted but not classified in ACTION_CLASSES`);
      }
      classes.add(c);
    }
  }
  return classes;
}
