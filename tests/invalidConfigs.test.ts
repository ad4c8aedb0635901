/**
 * A corpus of invalid configs, one mistake per row, across every `delivery:*` area. Each must be
 * refused before anything is declared, with one problem that starts with the full key path, says
 * what is wrong and how to fix it, and never repeats a secret value. The refusals already covered
 * by config.test.ts and the per-area test files are not repeated here.
 */
import { strict as assert } from "assert";
import { ConfigInput } from "../stacks/load";
import { shippedStack } from "./hooks";
import { FALLBACK_ON, refusedWith, withConfig } from "./support";

/** [title, config, key path the problem starts with, fragments the problem contains]. */
type Case = [title: string, input: () => ConfigInput, key: string, ...fragments: string[]];

const staging = () => shippedStack("staging");
const prod = () => shippedStack("prod");

// Secret values some rows put into the config; no problem may repeat them.
const DB_URL = "postgres://shop:hunter2-s3cret@db.internal:5432/shop";
const JWT_VALUE = "hunter2-jwt-signing-key";
const SENTRY_DSN = "https://0123abcd@o1.ingest.sentry.io/42";
const SECRET_VALUES = [DB_URL, JWT_VALUE, SENTRY_DSN];

/**
 * As `pulumi config set --secret --path <path> <value>`: sets the nested value and, like Pulumi,
 * marks the whole top-level key secret.
 */
function withSecretAt(base: ConfigInput, path: string, value: string): ConfigInput {
  const changed = withConfig(base, { [path]: value });
  return { ...changed, secretKeys: new Set([...changed.secretKeys, path.split(".")[0]]) };
}

/** The secret values in this config: the corpus's own, and every scalar secret key's value. */
function secretValuesIn(input: ConfigInput): string[] {
  const text = Object.values(input.values);
  const scalars = [...input.secretKeys]
    .map((k) => input.values[k])
    .filter((v): v is string => v !== undefined && !/^\s*[[{]/.test(v));
  return [...SECRET_VALUES.filter((s) => text.some((v) => v.includes(s))), ...scalars];
}

async function assertRefused(
  input: () => ConfigInput,
  key: string,
  fragments: readonly string[],
): Promise<void> {
  const config = input();
  const err = await refusedWith(config, key, ...fragments);
  for (const secret of secretValuesIn(config)) {
    assert.ok(!err.message.includes(secret), `a secret value is repeated:\n${err.message}`);
  }
}

const cases: Record<string, Case[]> = {
  services: [
    [
      "a health check path without the leading slash",
      () => withConfig(staging(), { "delivery:services.backend.healthCheckPath": "api/health" }),
      "delivery:services.backend.healthCheckPath",
      'starting with "/"',
    ],
    [
      "a health check path with spaces and quotes",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.healthCheckPath": '/api/"health check"',
        }),
      "delivery:services.backend.healthCheckPath",
      "no spaces or quotes",
    ],
    [
      "cpu that is not a Fargate size",
      () => withConfig(staging(), { "delivery:services.backend.cpu": 300 }),
      "delivery:services.backend.cpu",
      "cpu 300 is not a Fargate size",
      "256, 512, 1024",
    ],
    [
      "cpu written as text",
      () => withConfig(staging(), { "delivery:services.backend.cpu": "0.25 vCPU" }),
      "delivery:services.backend.cpu",
      "CPU units",
    ],
    [
      "memory in GB instead of MiB",
      () => withConfig(staging(), { "delivery:services.backend.memory": 0.5 }),
      "delivery:services.backend.memory",
      "memory 0.5 is not allowed with cpu 512",
      "(MiB)",
    ],
    [
      "a negative desiredCount",
      () => withConfig(staging(), { "delivery:services.backend.desiredCount": -1 }),
      "delivery:services.backend.desiredCount",
      "got -1",
      "at least 0",
    ],
    [
      "a target group name instead of its ARN",
      () => withConfig(prod(), { "delivery:services.backend.targetGroupArn": "shop-prod-backend" }),
      "delivery:services.backend.targetGroupArn",
      "must be an ELB target group ARN",
    ],
    [
      "a managed policy name instead of its ARN in taskRolePolicyArns",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.taskRolePolicyArns": ["AmazonS3ReadOnlyAccess"],
        }),
      "delivery:services.backend.taskRolePolicyArns[0]",
      "must be an IAM policy ARN",
    ],
    [
      "an image tag with a colon",
      () =>
        withConfig(staging(), {
          "delivery:ecs.imageOwner": "stack",
          "delivery:services.backend.imageTag": "backend:v1.4.2",
          "delivery:services.frontend.imageTag": "frontend-v2.0.0",
        }),
      "delivery:services.backend.imageTag",
      "Docker image tag",
    ],
    [
      "an upper-case repository name",
      () => withConfig(staging(), { "delivery:services.backend.repositoryName": "Shop-Backend" }),
      "delivery:services.backend.repositoryName",
      "ECR repository name",
    ],
    [
      "a build context with a space",
      () => withConfig(staging(), { "delivery:services.backend.build.context": "./back end" }),
      "delivery:services.backend.build.context",
      "path in the app repository",
    ],
    [
      "an existing service without the cluster it runs on",
      () =>
        withConfig(staging(), {
          "delivery:ecs": {},
          "delivery:services.backend.existingServiceName": "shop-backend",
        }),
      "delivery:services.backend.existingServiceName",
      "needs the existing cluster it runs on",
    ],
    [
      "a service whose execution role name would exceed IAM's 64 characters",
      () =>
        withConfig(
          staging(),
          {
            "delivery:app": "shopfrontplatform",
            "delivery:stage": "staging",
            "delivery:services.storefront-renderer": { port: 3000, healthCheckPath: "/" },
          },
          "staging-eu-central",
        ),
      "delivery:services.storefront-renderer",
      "shopfrontplatform-staging-eu-central-storefront-renderer-execution",
      "at most 64",
    ],
    [
      "a jsonKey on a generated secret",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.secrets.JWT_SECRET": {
            secret: "jwt-secret",
            jsonKey: "password",
          },
        }),
      "delivery:services.backend.secrets.JWT_SECRET.jsonKey",
      "generated password, not JSON",
    ],
  ],

  secrets: [
    [
      "an unknown secret source",
      () => withConfig(staging(), { "delivery:secrets.jwt-secret.source": "vault" }),
      "delivery:secrets.jwt-secret.source",
      '"generated", "config" or "external"',
    ],
    [
      "a generated secret shorter than 16 characters",
      () => withConfig(staging(), { "delivery:secrets.jwt-secret.length": 8 }),
      "delivery:secrets.jwt-secret.length",
      "got 8",
      "at least 16",
    ],
    [
      "a negative rotation",
      () => withConfig(staging(), { "delivery:secrets.jwt-secret.rotation": -30 }),
      "delivery:secrets.jwt-secret.rotation",
      "got -30",
    ],
    [
      "a Secrets Manager name with spaces",
      () =>
        withConfig(staging(), { "delivery:secrets.jwt-secret.name": "shop staging/jwt secret" }),
      "delivery:secrets.jwt-secret.name",
      "not a Secrets Manager name",
    ],
    [
      "a secret declared under a name that is not lowercase",
      () => withConfig(staging(), { "delivery:secrets.JWT_Secret": { source: "generated" } }),
      "delivery:secrets.JWT_Secret",
      '"JWT_Secret"',
      "lowercase",
    ],
    [
      "a secret's recovery window over 30 days",
      () => withConfig(staging(), { "delivery:secrets.openai-key.recoveryWindowDays": 31 }),
      "delivery:secrets.openai-key.recoveryWindowDays",
      "got 31",
      "at most 30",
    ],
    [
      "a prod secret deleted at once (recovery window 0)",
      () => withConfig(prod(), { "delivery:secrets.npm-token.recoveryWindowDays": 0 }),
      "delivery:secrets.npm-token.recoveryWindowDays",
      "below prod's minimum of 7",
    ],
    [
      "a KMS alias instead of the key's ARN",
      () => withConfig(staging(), { "delivery:secretSettings.kmsKeyArn": "alias/shop" }),
      "delivery:secretSettings.kmsKeyArn",
      "must be a KMS key ARN",
    ],
    [
      "a config-sourced secret without its key",
      () => withConfig(staging(), { "delivery:secrets.database-url": { source: "config" } }),
      "delivery:secrets.database-url.key",
      "is required",
    ],
    [
      "a secret value written where the secret's declaration belongs",
      () => withSecretAt(staging(), "delivery:secrets.jwt-secret", JWT_VALUE),
      "delivery:secrets",
      "is marked secret",
    ],
  ],

  github: [
    [
      "a repository given as owner/repo",
      () => withConfig(staging(), { "delivery:github.repository": "acme/shop" }),
      "delivery:github.repository",
      "without owner",
    ],
    [
      "an environment name with spaces",
      () => withConfig(staging(), { "delivery:github.environment": "shop staging" }),
      "delivery:github.environment",
      "GitHub environment name",
    ],
    [
      "staging deploying through the prod environment, whatever its case",
      () => withConfig(staging(), { "delivery:github.environment": "Production" }),
      "delivery:github.environment",
      "other stage's environment",
      'use "staging"',
    ],
    [
      "a deploy branch given as a ref",
      () => withConfig(staging(), { "delivery:github.deployBranches": ["refs/heads/main"] }),
      "delivery:github.deployBranches[0]",
      '"refs/heads/main"',
      "not a ref",
    ],
    [
      "a deploy tag given as a ref",
      () =>
        withConfig(prod(), {
          "delivery:github.deployTags": ["backend-v*", "refs/tags/frontend-v*"],
        }),
      "delivery:github.deployTags[1]",
      '"refs/tags/frontend-v*"',
      "not a ref",
    ],
    [
      "more than 6 required reviewers",
      () =>
        withConfig(prod(), {
          "delivery:github.protection.reviewers": {
            users: ["ana", "bo", "cy", "di", "ed"],
            teams: ["shop-maintainers", "shop-ops"],
          },
        }),
      "delivery:github.protection.reviewers",
      "at most 6",
      "got 7",
    ],
    [
      "an unknown key in subjectClaims",
      () =>
        withConfig(staging(), {
          "delivery:github.subjectClaims": { includeClaimKeys: ["repo", "context"], claims: [] },
        }),
      "delivery:github.subjectClaims.claims",
      "unknown key",
      "includeClaimKeys, manage",
    ],
    [
      "a claim key listed twice",
      () =>
        withConfig(staging(), {
          "delivery:github.subjectClaims": { includeClaimKeys: ["repo", "repo", "context"] },
        }),
      "delivery:github.subjectClaims.includeClaimKeys[1]",
      'lists "repo" twice',
    ],
    [
      "the owner's login instead of its numeric id",
      () => withConfig(staging(), { "delivery:github.ownerId": "acme" }),
      "delivery:github.ownerId",
      "numeric id",
      "gh api repos/OWNER/REPO --jq .owner.id",
    ],
    [
      "an environment secret named GITHUB_*",
      () =>
        withConfig(staging(), {
          "delivery:github.secrets.GITHUB_DEPLOY_TOKEN": { source: "generated" },
        }),
      "delivery:github.secrets.GITHUB_DEPLOY_TOKEN",
      "not GITHUB_",
    ],
    [
      "an environment secret the program writes itself",
      () =>
        withConfig(staging(), { "delivery:github.secrets.AWS_ROLE_ARN": { source: "generated" } }),
      "delivery:github.secrets.AWS_ROLE_ARN",
      "written by the program",
    ],
    [
      "an environment secret whose config value is not set",
      () =>
        withConfig(staging(), {
          "delivery:github.secrets.SENTRY_DSN": { source: "config", key: "sentryDsn" },
        }),
      "delivery:sentryDsn",
      "GitHub secret SENTRY_DSN is not set",
      "pulumi config set --secret delivery:sentryDsn <value> --stack staging",
    ],
    [
      "an environment secret whose config value is in plain text",
      () =>
        withConfig(staging(), {
          "delivery:github.secrets.SENTRY_DSN": { source: "config", key: "sentryDsn" },
          "delivery:sentryDsn": SENTRY_DSN,
        }),
      "delivery:sentryDsn",
      "plain text",
      "pulumi config set --secret delivery:sentryDsn",
    ],
    [
      "an environment secret read from a reserved config key",
      () =>
        withConfig(staging(), {
          "delivery:github.secrets.SENTRY_DSN": { source: "config", key: "app" },
        }),
      "delivery:github.secrets.SENTRY_DSN.key",
      "reserved config key",
    ],
    [
      "an environment secret key with the delivery: prefix",
      () =>
        withConfig(staging(), {
          "delivery:github.secrets.DATABASE_URL.key": "delivery:databaseUrl",
        }),
      "delivery:github.secrets.DATABASE_URL.key",
      'without the "delivery:" prefix',
    ],
    [
      "an unknown environment secret source",
      () => withConfig(staging(), { "delivery:github.secrets.SENTRY_DSN": { source: "vault" } }),
      "delivery:github.secrets.SENTRY_DSN.source",
      '"config" or "generated"',
    ],
    [
      "a generated environment secret shorter than 16 characters",
      () => withConfig(staging(), { "delivery:github.secrets.API_KEY_PREFIX.length": 8 }),
      "delivery:github.secrets.API_KEY_PREFIX.length",
      "at least 16",
    ],
    [
      "a variable the program writes for the stage (ECS_CLUSTER)",
      () => withConfig(staging(), { "delivery:github.variables.ECS_CLUSTER": "other" }),
      "delivery:github.variables.ECS_CLUSTER",
      "written by the program",
    ],
    [
      "a variable the program writes for a service",
      () => withConfig(staging(), { "delivery:github.variables.ECR_REPOSITORY_BACKEND": "x" }),
      "delivery:github.variables.ECR_REPOSITORY_BACKEND",
      "written by the program",
    ],
    [
      "a variable that is also an environment secret",
      () => withConfig(staging(), { "delivery:github.variables.DATABASE_URL": "x" }),
      "delivery:github.variables.DATABASE_URL",
      "also a secret",
    ],
  ],

  roles: [
    [
      'a role named "deploy"',
      () =>
        withConfig(staging(), {
          "delivery:roles.deploy": {
            subjects: ["pull_request"],
            grants: { previewReadOnly: true },
          },
        }),
      "delivery:roles.deploy",
      'not "deploy"',
    ],
    [
      "a role without subjects",
      () => withConfig(staging(), { "delivery:roles.preview.subjects": [] }),
      "delivery:roles.preview.subjects",
      "would trust nothing",
    ],
    [
      "a role pushing to a service that is not declared",
      () =>
        withConfig(staging(), {
          "delivery:roles.publish": {
            subjects: ["ref:refs/heads/main"],
            grants: { pushRepositories: ["api"] },
          },
        }),
      "delivery:roles.publish.grants.pushRepositories[0]",
      'service "api" is not declared',
      "backend, frontend",
    ],
    [
      "a role trusting another repository by name under the immutable format",
      () =>
        withConfig(staging(), {
          "delivery:github.subjectFormat": "immutable",
          "delivery:github.ownerId": 1234,
          "delivery:github.repositoryId": 5678,
        }),
      "delivery:roles.preview.repositoryId",
      "trusts shop-infra",
      "gh api repos/OWNER/shop-infra --jq .id",
    ],
    [
      "a role without grants",
      () => withConfig(staging(), { "delivery:roles.preview.grants": undefined }),
      "delivery:roles.preview.grants",
      "is required",
    ],
    [
      "a role repository given as owner/repo",
      () => withConfig(staging(), { "delivery:roles.preview.repository": "acme/shop-infra" }),
      "delivery:roles.preview.repository",
      "without owner",
    ],
    [
      "a staging role trusting the prod environment",
      () =>
        withConfig(staging(), { "delivery:roles.preview.subjects": ["environment:production"] }),
      "delivery:roles.preview.subjects[0]",
      "another stage's environment",
    ],
    [
      "a permissions boundary given by name",
      () => withConfig(staging(), { "delivery:roles.preview.permissionsBoundary": "ci-boundary" }),
      "delivery:roles.preview.permissionsBoundary",
      "must be an IAM policy ARN",
    ],
    [
      "a role whose name would exceed IAM's 64 characters",
      () =>
        withConfig(
          staging(),
          {
            "delivery:app": "shopfrontplatformabc",
            "delivery:stage": "staging",
            "delivery:roles.preview-infra-repository": {
              repository: "shop-infra",
              subjects: ["pull_request"],
              grants: { previewReadOnly: true },
            },
          },
          "staging-eu-central-1",
        ),
      "delivery:roles.preview-infra-repository",
      "at most 64",
    ],
  ],

  adoption: [
    [
      "a log group adopted for a service that is not declared",
      () => withConfig(staging(), { "delivery:adopt.logGroups": { api: "/ecs/api" } }),
      "delivery:adopt.logGroups.api",
      'no service "api"',
    ],
    [
      "a cluster adopted by a stack that uses an existing one",
      () =>
        withConfig(staging(), {
          "delivery:ecs.cluster": { existingName: "legacy" },
          "delivery:adopt.cluster": "legacy",
        }),
      "delivery:adopt.cluster",
      "only a stack that manages the cluster",
    ],
    [
      "an adopted repository that contradicts the service's repositoryName",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.repositoryName": "shop-backend",
          "delivery:adopt.repositories": { backend: "app-backend" },
        }),
      "delivery:adopt.repositories.backend",
      '"app-backend"',
      '"shop-backend"',
    ],
    [
      "a secret adopted that is not declared",
      () =>
        withConfig(staging(), {
          "delivery:adopt.secrets": {
            "stripe-key": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-Ab12Cd",
          },
        }),
      "delivery:adopt.secrets.stripe-key",
      'no secret "stripe-key"',
    ],
    [
      "an adopted secret ARN that contradicts the secret's name",
      () =>
        withConfig(staging(), {
          "delivery:secrets.openai-key.name": "shop/openai",
          "delivery:adopt.secrets": {
            "openai-key":
              "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/openai-key-Ab12Cd",
          },
        }),
      "delivery:adopt.secrets.openai-key",
      "does not belong",
    ],
  ],

  ecs: [
    [
      "a subnet given as a CIDR",
      () =>
        withConfig(staging(), {
          "delivery:ecs.network.subnets": ["subnet-0a1b2c3d4e5f60718", "10.0.1.0/24"],
        }),
      "delivery:ecs.network.subnets[1]",
      "subnet id",
    ],
    [
      "a security group given by name",
      () => withConfig(staging(), { "delivery:ecs.network.securityGroups": ["default"] }),
      "delivery:ecs.network.securityGroups[0]",
      "security group id",
    ],
    [
      "a network without subnets",
      () => withConfig(staging(), { "delivery:ecs.network.subnets": [] }),
      "delivery:ecs.network.subnets",
      "at least one subnet",
    ],
    [
      "a network without security groups",
      () => withConfig(staging(), { "delivery:ecs.network.securityGroups": [] }),
      "delivery:ecs.network.securityGroups",
      "at least one security group",
    ],
    [
      "a network without a cluster",
      () => withConfig(staging(), { "delivery:ecs.cluster": undefined }),
      "delivery:ecs.cluster",
      "need a cluster",
    ],
    [
      "a cluster that is neither created nor existing",
      () => withConfig(staging(), { "delivery:ecs.cluster": { create: false } }),
      "delivery:ecs.cluster.create",
      "{ existingName: <cluster name> }",
    ],
    [
      "a log retention CloudWatch does not offer",
      () => withConfig(staging(), { "delivery:ecs.logRetentionDays": 45 }),
      "delivery:ecs.logRetentionDays",
      "CloudWatch retention value",
      "30, 60",
    ],
    [
      "a bootstrap image tag with a colon",
      () => withConfig(staging(), { "delivery:ecs.bootstrapImageTag": "boot:strap" }),
      "delivery:ecs.bootstrapImageTag",
      "Docker image tag",
    ],
  ],

  "stack, tags, OIDC and ECR": [
    [
      "an upper-case stack name",
      () => withConfig(staging(), { "delivery:stage": "staging" }, "Staging"),
      "delivery:stage",
      'stack name "Staging"',
      "pulumi stack rename",
    ],
    [
      "an app name over 20 characters",
      () => withConfig(staging(), { "delivery:app": "shop-platform-storefront" }),
      "delivery:app",
      "at most 20",
    ],
    [
      "a wildcard GitHub owner",
      () => withConfig(staging(), { "github:owner": "acme/*" }),
      "github:owner",
      '"acme/*"',
    ],
    [
      "a region given by its display name",
      () => withConfig(staging(), { "aws:region": "Ireland" }),
      "aws:region",
      '"Ireland" is not an AWS region',
    ],
    [
      "an app tag that would override the program's",
      () => withConfig(staging(), { "delivery:tags.app": "other" }),
      "delivery:tags.app",
      "the program sets the tag",
    ],
    [
      "a tag value that is not text",
      () => withConfig(staging(), { "delivery:tags.cost-center": 42 }),
      "delivery:tags.cost-center",
      "a tag value must be text",
    ],
    [
      "an OIDC provider ARN on the stack that creates the provider",
      () =>
        withConfig(staging(), {
          "delivery:oidc.arn":
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        }),
      "delivery:oidc.arn",
      'mode "existing"',
    ],
    [
      "an unknown OIDC mode",
      () => withConfig(staging(), { "delivery:oidc.mode": "import" }),
      "delivery:oidc.mode",
      '"create"',
      '"existing"',
    ],
    [
      "keeping no images",
      () => withConfig(staging(), { "delivery:ecr.keepLastImages": 0 }),
      "delivery:ecr.keepLastImages",
      "at least 1",
    ],
    [
      "prod images not scanned on push",
      () => withConfig(prod(), { "delivery:ecr.scanOnPush": false }),
      "delivery:ecr.scanOnPush",
      "scanned on push",
    ],
  ],

  fallback: [
    [
      "an alarm address that is not an e-mail address",
      () =>
        withConfig(staging(), { "delivery:fallback": { enabled: true, alarmEmails: ["oncall"] } }),
      "delivery:fallback.alarmEmails[0]",
      "e-mail address",
    ],
    [
      "a fallback whose keys would go to an unmanaged GitHub environment",
      () =>
        withConfig(staging(), {
          "delivery:fallback": FALLBACK_ON,
          "delivery:github.manage": false,
        }),
      "delivery:fallback.enabled",
      "does not manage",
    ],
  ],
};

/**
 * Refusals where the schema library's own message would not do: each carries a fix, is reported at
 * the key that is wrong, or keeps a secret value out of the message.
 */
const messages: Case[] = [
  [
    "an unknown architecture",
    () => withConfig(staging(), { "delivery:services.backend.architecture": "arm64" }),
    "delivery:services.backend.architecture",
    '"ARM64" or "X86_64"',
  ],
  [
    "an unknown health check command",
    () => withConfig(staging(), { "delivery:services.backend.healthCheckCommand": "nc" }),
    "delivery:services.backend.healthCheckCommand",
    '"curl" or "wget"',
  ],
  [
    "a boolean written as yes",
    () => withConfig(staging(), { "delivery:services.backend.readonlyRootFilesystem": "yes" }),
    "delivery:services.backend.readonlyRootFilesystem",
    "true or false",
  ],
  // A bad key of a map is reported at the key itself, with the key's own rule.
  [
    "an environment variable name with a dash",
    () => withConfig(staging(), { "delivery:services.backend.environment.LOG-LEVEL": "info" }),
    "delivery:services.backend.environment.LOG-LEVEL",
    "letters, digits and _",
  ],
  [
    "a secret variable name with a dash",
    () => withConfig(staging(), { "delivery:services.backend.secrets.JWT-SECRET": "jwt-secret" }),
    "delivery:services.backend.secrets.JWT-SECRET",
    "letters, digits and _",
  ],
  [
    "an existing service name with a space",
    () =>
      withConfig(staging(), {
        "delivery:ecs.cluster": { existingName: "legacy" },
        "delivery:services.backend.existingServiceName": "shop backend",
      }),
    "delivery:services.backend.existingServiceName",
    "ECS service name",
  ],
  [
    "an unknown claim key in subjectClaims",
    () =>
      withConfig(staging(), {
        "delivery:github.subjectClaims": { includeClaimKeys: ["repo", "branch", "context"] },
      }),
    "delivery:github.subjectClaims.includeClaimKeys[1]",
    "must be one of",
  ],
  [
    "a negative ownerId",
    () => withConfig(staging(), { "delivery:github.ownerId": -1234 }),
    "delivery:github.ownerId",
    "positive",
  ],
  [
    "an unknown subject format",
    () => withConfig(staging(), { "delivery:github.subjectFormat": "ids" }),
    "delivery:github.subjectFormat",
    '"names"',
    '"immutable"',
  ],
  [
    "a variable whose value is a map",
    () => withConfig(staging(), { "delivery:github.variables.APP_URL": { url: "x" } }),
    "delivery:github.variables.APP_URL",
    "string, number or boolean",
  ],
  [
    "a lower-case tag mutability",
    () => withConfig(staging(), { "delivery:ecr.imageTagMutability": "mutable" }),
    "delivery:ecr.imageTagMutability",
    '"MUTABLE" or "IMMUTABLE"',
  ],
  [
    "an unknown image owner",
    () => withConfig(staging(), { "delivery:ecs.imageOwner": "ci" }),
    "delivery:ecs.imageOwner",
    '"pipeline"',
  ],
  [
    "an existing cluster name with a space",
    () => withConfig(staging(), { "delivery:ecs.cluster": { existingName: "legacy cluster" } }),
    "delivery:ecs.cluster.existingName",
    "ECS cluster name",
  ],
  // Reported inside the cluster shape it belongs to, not as a mismatch of the whole section.
  [
    "an unknown containerInsights value",
    () => withConfig(staging(), { "delivery:ecs.cluster.containerInsights": "on" }),
    "delivery:ecs.cluster.containerInsights",
    '"enabled", "enhanced" or "disabled"',
  ],
  [
    "an adopted log group name with spaces",
    () => withConfig(staging(), { "delivery:adopt.logGroups": { backend: "ecs backend logs" } }),
    "delivery:adopt.logGroups.backend",
    "log group name",
  ],
  [
    "an adopted repository name in upper case",
    () => withConfig(staging(), { "delivery:adopt.repositories": { backend: "App-Backend" } }),
    "delivery:adopt.repositories.backend",
    "ECR repository name",
  ],
  // Object.prototype's members are not services.
  [
    "a log group adopted for an undeclared service named like an object property",
    () => withConfig(staging(), { "delivery:adopt.logGroups": { constructor: "/ecs/x" } }),
    "delivery:adopt.logGroups.constructor",
    'no service "constructor"',
  ],
  // A key that is itself a secret value is refused without repeating it.
  [
    "a secret value written where its config key belongs",
    () => withSecretAt(staging(), "delivery:secrets.database-url.key", DB_URL),
    "delivery:secrets",
    "cannot tell which of its values is the secret",
  ],
  // A secret value written as a secret's name is never quoted back.
  [
    "a secret value written where the secret's name belongs",
    () => withSecretAt(staging(), "delivery:services.backend.secrets.JWT_SECRET", JWT_VALUE),
    "delivery:services",
    "is marked secret",
  ],
];

describe("invalid configs", () => {
  for (const [area, rows] of Object.entries(cases)) {
    describe(area, () => {
      for (const [title, input, key, ...fragments] of rows) {
        it(`refuses ${title}`, () => assertRefused(input, key, fragments));
      }
    });
  }

  describe("messages with a fix, at the wrong key's own path, without secrets", () => {
    for (const [title, input, key, ...fragments] of messages) {
      it(`refuses ${title}`, () => assertRefused(input, key, fragments));
    }
  });
});
