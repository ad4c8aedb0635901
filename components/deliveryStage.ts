import * as ecs from "@pulumi/aws/ecs";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { Provider as GithubProvider } from "@pulumi/github/provider";
import * as ecr from "@pulumi/aws/ecr";
import * as pulumi from "@pulumi/pulumi";
import { Stage, TaskServiceStage, isPlaced, runsTasks, serviceRun } from "../stacks/stage";
import { ArnValues } from "../lib/arns";
import {
  ServiceField,
  VariableValue,
  serviceFields,
  servicesVariableValue,
} from "../lib/variables";
import { adoption } from "./adoption";
import { EcrRepository } from "./ecrRepository";
import { FargateService, FargateServicePlacement } from "./fargateService";
import { GithubActionsRole } from "./githubActionsRole";
import { GithubEnvironment } from "./githubEnvironment";
import { GithubOidcProvider } from "./githubOidcProvider";
import { RuntimeSecret } from "./runtimeSecret";
import { BreakGlassAccess } from "./breakGlassAccess";
import { renderPolicies } from "./policies";
import { appRepoFiles } from "../lib/appRepoFiles";

/** Arguments of {@link DeliveryStage}. */
export interface DeliveryStageArgs {
  /** The validated stage, from `stacks/load.ts`. */
  readonly stage: Stage;
  /** The account the stack runs in, checked against the stage's allowed accounts. */
  readonly accountId: pulumi.Output<string>;
}

/** What an image service exposes to CI and to the outputs: its repository, nothing else. */
export interface ImageOutputs {
  readonly repositoryName: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
}

/** What a service that runs on ECS exposes besides its repository. */
export interface TaskOutputs extends ImageOutputs {
  readonly taskDefinitionFamily: pulumi.Output<string>;
  readonly containerName: string;
  readonly logGroupName: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly clusterName?: pulumi.Output<string>;
  readonly serviceName?: pulumi.Output<string>;
  readonly serviceArn?: pulumi.Output<string>;
}

/** What one service of the stage exposes: only what exists for its kind. */
export type ServiceOutputs = ImageOutputs | TaskOutputs;

/** The stage's cluster, created or looked up. */
interface ClusterRef {
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
}

/**
 * One stage of the delivery path, from its validated config: the GitHub OIDC provider (created
 * or looked up), the stage's runtime secrets, an ECR repository per service and a Fargate
 * service per service that runs on ECS (an image, `kind: image`, has its repository only), the
 * deploy role that may push to exactly those repositories and deploy exactly those services,
 * extra roles from the same trust machinery, and the GitHub environment that pairs with the
 * deploy role's trust.
 */
export class DeliveryStage extends pulumi.ComponentResource {
  readonly accountId: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  /** Undefined when the stage has no services, so no deploy role. */
  readonly deployRoleArn?: pulumi.Output<string>;
  readonly clusterName?: pulumi.Output<string>;
  readonly services: Readonly<Record<string, ServiceOutputs>>;
  /** Secret key → ARN. Never the value. */
  readonly secretArns: Readonly<Record<string, pulumi.Output<string>>>;
  /** Extra role key → ARN. */
  readonly roleArns: Readonly<Record<string, pulumi.Output<string>>>;
  /** GitHub environment variables the stage writes: name → value. */
  readonly githubVariables: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: DeliveryStageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:stage:DeliveryStage", name, {}, opts);
    const s = args.stage;
    this.accountId = args.accountId;

    const oidc = new GithubOidcProvider(
      `${name}-oidc`,
      { mode: s.oidc.mode, arn: s.oidc.arn, adoptArn: s.oidc.adoptArn },
      { parent: this },
    );

    const secrets = Object.fromEntries(
      s.secrets.map((secret) => [
        secret.key,
        new RuntimeSecret(
          `${name}-${secret.key}`,
          {
            secretName: secret.name,
            description: secret.description,
            source: secret.source,
            recoveryWindowDays: secret.recoveryWindowDays,
            kmsKeyArn: s.secretsKmsKeyArn,
            protect: s.protectData,
            adoptArn: secret.adoptArn,
          },
          { parent: this },
        ),
      ]),
    );
    this.secretArns = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v.arn]));
    // What the access model's ARN templates are rendered with.
    const arnValues: pulumi.Output<ArnValues> = pulumi.output({
      accountId: this.accountId,
      secretArns: pulumi.all(this.secretArns),
    });

    const cluster = this.cluster(name, s);
    this.clusterName = cluster?.name;
    const network = s.ecs.network;
    const placementOf = (svc: TaskServiceStage): FargateServicePlacement | undefined =>
      cluster && isPlaced(s.ecs, svc)
        ? {
            clusterArn: cluster.arn,
            network: network && {
              subnets: network.subnets,
              securityGroups: network.securityGroups,
              assignPublicIp: network.assignPublicIp,
            },
          }
        : undefined;

    const services: Record<string, ServiceOutputs> = {};
    const deployed: FargateService[] = [];
    for (const svc of s.services) {
      // An existing repository stays its owner's: looked up (a misspelt name fails the preview),
      // never managed here.
      const repository = svc.existingRepository
        ? ecr.getRepositoryOutput({ name: svc.repositoryName }, { parent: this })
        : new EcrRepository(
            `${name}-${svc.key}`,
            {
              repositoryName: svc.repositoryName,
              imageTagMutability: s.ecr.imageTagMutability,
              movingTag: s.ecr.stageTag ? s.stack : undefined,
              scanOnPush: s.ecr.scanOnPush,
              untaggedExpiryDays: s.ecr.untaggedExpiryDays,
              keepLastImages: s.ecr.keepLastImages,
              kmsKeyArn: s.ecr.kmsKeyArn,
              forceDelete: s.ecr.forceDelete,
              protect: s.protectData,
              adoptName: svc.adoptRepository,
            },
            { parent: this },
          );
      const repositoryOutputs: ImageOutputs = {
        repositoryName:
          "repositoryName" in repository ? repository.repositoryName : repository.name,
        repositoryUrl: repository.repositoryUrl,
      };
      // An image is only built and pushed: something else runs it.
      if (!runsTasks(svc)) {
        services[svc.key] = repositoryOutputs;
        continue;
      }
      const executionAccess = s.access.executionRoles[svc.key];
      const service = new FargateService(
        `${name}-${svc.key}`,
        {
          service: svc,
          region: s.region,
          accountId: this.accountId,
          repositoryUrl: repository.repositoryUrl,
          secretArns: Object.fromEntries(
            svc.secrets.map((r) => [r.secret, this.secretArns[r.secret]]),
          ),
          executionPolicies: executionAccess && renderPolicies(executionAccess, arnValues),
          imageOwner: s.ecs.imageOwner,
          logRetentionDays: s.ecs.logRetentionDays,
          placement: placementOf(svc),
          protect: s.protectData,
        },
        { parent: this },
      );
      deployed.push(service);
      services[svc.key] = {
        ...repositoryOutputs,
        taskDefinitionFamily: service.family,
        containerName: service.containerName,
        logGroupName: service.logGroupName,
        executionRoleArn: service.executionRoleArn,
        taskRoleArn: service.taskRoleArn,
        clusterName: placementOf(svc) ? cluster?.name : undefined,
        serviceName: service.serviceName,
        serviceArn: service.serviceArn,
      };
    }
    this.services = services;

    const deployRole =
      s.deployRole && s.access.deployRole
        ? new GithubActionsRole(
            `${name}-deploy`,
            {
              roleName: s.deployRole.name,
              description: `GitHub Actions deploys of ${s.repo.owner}/${s.repo.repository} to ${s.app} ${s.name}`,
              providerArn: oidc.arn,
              repo: s.repo,
              subjects: s.deployRole.subjects,
              subjectFormat: s.github.subjectFormat,
              maxSessionDuration: s.deployRole.maxSessionDuration,
              permissionsBoundary: s.deployRole.permissionsBoundary,
              policies: renderPolicies(s.access.deployRole, arnValues),
              attachedPolicyArns: s.access.deployRole.attachedPolicyArns,
            },
            { parent: this },
          )
        : undefined;

    // Break-glass keys: the same grants as the role, for when OIDC cannot be used.
    const fallbackAccess = s.access.fallbackUser;
    const fallback =
      s.fallback.names && fallbackAccess
        ? new BreakGlassAccess(
            `${name}-fallback`,
            {
              userName: s.fallback.names.user,
              topicName: s.fallback.names.topic,
              alarmName: s.fallback.names.alarm,
              ruleName: s.fallback.names.rule,
              environment: s.github.environment,
              policies: renderPolicies(fallbackAccess, arnValues),
              alarmEmails: s.fallback.alarmEmails,
            },
            { parent: this },
          )
        : undefined;

    this.roleArns = Object.fromEntries(
      s.roles.map((role) => [
        role.key,
        new GithubActionsRole(
          `${name}-${role.key}`,
          {
            roleName: role.name,
            description: `GitHub Actions role "${role.key}" of ${role.repo.owner}/${role.repo.repository} for ${s.app} ${s.name}`,
            providerArn: oidc.arn,
            repo: role.repo,
            subjects: role.subjects,
            subjectFormat: role.subjectFormat,
            maxSessionDuration: role.maxSessionDuration,
            permissionsBoundary: role.permissionsBoundary,
            policies: renderPolicies(s.access.roles[role.key], arnValues),
            attachedPolicyArns: s.access.roles[role.key].attachedPolicyArns,
          },
          { parent: this },
        ).arn,
      ]),
    );

    this.githubVariables = this.variables(s, cluster, deployRole?.arn);
    /** Output name → the ARN of the role it carries. */
    const arnsOf = (outputs: Readonly<Record<string, string>>) =>
      Object.fromEntries(Object.entries(outputs).map(([out, role]) => [out, this.roleArns[role]]));
    if (s.github.manage) {
      new GithubEnvironment(
        `${name}-github`,
        {
          repository: s.repo.repository,
          environment: s.github.environment,
          deployBranches: s.github.deployBranches,
          deployTags: s.github.deployTags,
          reviewers: { users: s.github.protection.users, teams: s.github.protection.teams },
          preventSelfReview: s.github.protection.preventSelfReview,
          waitTimerMinutes: s.github.protection.waitTimerMinutes,
          canAdminsBypass: s.github.protection.canAdminsBypass,
          rulesets: s.github.rulesets,
          roleArn:
            deployRole && s.names.github.deployRoleArn?.kind === "secret"
              ? { secretName: s.names.github.deployRoleArn.name, arn: deployRole.arn }
              : undefined,
          roleArnSecrets: arnsOf(s.names.github.roleArnSecrets),
          repositoryOutputs: {
            secrets: arnsOf(s.names.github.repository.secrets),
            variables: arnsOf(s.names.github.repository.variables),
          },
          secrets: s.github.secrets,
          variables: this.githubVariables,
          subjectClaimKeys: s.github.manageSubjectClaims
            ? s.github.subjectFormat.claimKeys
            : undefined,
          fallbackCredentials: fallback
            ? { accessKeyId: fallback.accessKeyId, secretAccessKey: fallback.secretAccessKey }
            : undefined,
          files: s.github.commitWorkflows ? appRepoFiles(s) : undefined,
        },
        { parent: this },
      );
    }

    this.oidcProviderArn = oidc.arn;
    this.deployRoleArn = deployRole?.arn;
    this.registerOutputs({
      accountId: this.accountId,
      oidcProviderArn: this.oidcProviderArn,
      deployRoleArn: this.deployRoleArn,
      clusterName: this.clusterName,
      secretArns: this.secretArns,
      roleArns: this.roleArns,
    });
  }

  /** The cluster, created (or adopted) or looked up by name; none when config has none. */
  private cluster(name: string, s: Stage): ClusterRef | undefined {
    const cluster = s.ecs.cluster;
    if (!cluster) return undefined;
    if (!cluster.create) {
      const existing = ecs.getClusterOutput({ clusterName: cluster.name }, { parent: this });
      return { arn: existing.arn, name: existing.clusterName };
    }
    const created = new ecs.Cluster(
      `${name}-cluster`,
      // Security Hub ECS.12: Container Insights on.
      {
        name: cluster.name,
        settings: [{ name: "containerInsights", value: cluster.containerInsights }],
      },
      { parent: this, ...adoption(cluster.adopt ? cluster.name : undefined) },
    );
    return { arn: created.arn, name: created.name };
  }

  /** The GitHub environment variables of the names table, with values from the real resources. */
  private variables(
    s: Stage,
    cluster: ClusterRef | undefined,
    deployRoleArn: pulumi.Output<string> | undefined,
  ): Record<string, pulumi.Output<string>> {
    const field = (service: string, f: ServiceField): pulumi.Output<string> | undefined => {
      const out = this.services[service];
      if (f === "repository") return out.repositoryName;
      if (!("taskDefinitionFamily" in out)) return undefined;
      switch (f) {
        case "taskDefinition":
          return out.taskDefinitionFamily;
        case "containerName":
          return pulumi.output(out.containerName);
        case "service":
          return out.serviceName;
        case "logGroup":
          return out.logGroupName;
      }
    };
    const services = () =>
      pulumi
        .all(
          s.services.map((svc) =>
            pulumi
              .all(
                Object.fromEntries(
                  serviceFields(serviceRun(s.ecs, svc)).map((f) => [
                    f,
                    field(svc.key, f) ?? pulumi.output(""),
                  ]),
                ),
              )
              .apply((fields) => ({ key: svc.key, fields })),
          ),
        )
        .apply(servicesVariableValue);
    const vars: Record<string, pulumi.Output<string>> = {};
    const valueOf = (value: VariableValue): pulumi.Output<string> | undefined => {
      switch (value.kind) {
        case "region":
          return pulumi.output(s.region);
        case "account":
          return this.accountId;
        case "cluster":
          return cluster?.name;
        case "services":
          return services();
        case "serviceField":
          return field(value.service, value.field);
        case "roleArn":
          return this.roleArns[value.role];
        case "deployRoleArn":
          return deployRoleArn;
        case "secretName":
          return pulumi.output(s.secrets.find((x) => x.key === value.secret)?.name ?? "");
        case "config":
          return pulumi.output(value.value);
      }
    };
    for (const { name, value } of s.names.github.variables) {
      const resolved = valueOf(value);
      if (!resolved) {
        throw new Error(
          `DeliveryStage: the names table lists variable ${name}, which has no value`,
        );
      }
      vars[name] = resolved;
    }
    return vars;
  }
}

/** Why the stage may not run in this account, or undefined when it may. */
export function accountProblem(
  accountId: string,
  allowed: readonly string[] | undefined,
): string | undefined {
  return allowed && !allowed.includes(accountId)
    ? `the AWS credentials are for account ${accountId}, but this stack runs only in ${allowed.join(", ")} (aws:allowedAccountIds, or the account of the ARNs in its config); nothing was created. Fix: use credentials of that account, or correct the stack's config`
    : undefined;
}

/**
 * The account the credentials are for, refused when it is not one the stage may run in. The AWS
 * provider's `allowedAccountIds` refuses first under the real engine; this says why, in the
 * config's words.
 */
function checkedAccount(
  accountId: pulumi.Output<string>,
  allowed: readonly string[] | undefined,
): pulumi.Output<string> {
  return accountId.apply((id) => {
    const problem = accountProblem(id, allowed);
    if (problem) throw new pulumi.RunError(problem);
    return id;
  });
}

/** The stack outputs: names and ARNs CI and people need, never a secret value. */
export interface StageOutputs {
  readonly stage: string;
  readonly region: string;
  readonly accountId: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  /** Undefined when the stage has no services, so no deploy role. */
  readonly deployRoleArn?: pulumi.Output<string>;
  readonly githubEnvironment: string;
  readonly clusterName?: pulumi.Output<string>;
  readonly services: Readonly<Record<string, ServiceOutputs>>;
  readonly secretArns: Readonly<Record<string, pulumi.Output<string>>>;
  readonly roleArns: Readonly<Record<string, pulumi.Output<string>>>;
  readonly githubVariables: Readonly<Record<string, pulumi.Output<string>>>;
}

/**
 * The program: declares one stage from its validated config and returns the stack outputs.
 * `index.ts`, the offline plan and the tests all call this, so they run the same program.
 */
export function buildStage(stage: Stage, opts?: pulumi.ComponentResourceOptions): StageOutputs {
  // Explicit providers: the region, the tags every AWS resource gets, the accounts the stack may
  // run in (the provider refuses other credentials before creating anything), the GitHub owner.
  const awsProvider = new AwsProvider(stage.app, {
    region: stage.region,
    defaultTags: { tags: { ...stage.tags } },
    ...(stage.allowedAccountIds ? { allowedAccountIds: [...stage.allowedAccountIds] } : {}),
  });
  const accountId = checkedAccount(
    getCallerIdentityOutput({}, { provider: awsProvider }).accountId,
    stage.allowedAccountIds,
  );
  // The GitHub side waits for the account check, so a wrong account creates nothing there either.
  const githubProvider = new GithubProvider(stage.app, {
    owner: accountId.apply(() => stage.repo.owner),
  });
  const deliveryStage = new DeliveryStage(
    stage.app,
    { stage, accountId },
    pulumi.mergeOptions(opts, { providers: { aws: awsProvider, github: githubProvider } }),
  );
  return {
    stage: stage.name,
    region: stage.region,
    accountId: deliveryStage.accountId,
    oidcProviderArn: deliveryStage.oidcProviderArn,
    deployRoleArn: deliveryStage.deployRoleArn,
    githubEnvironment: stage.github.environment,
    clusterName: deliveryStage.clusterName,
    services: deliveryStage.services,
    secretArns: deliveryStage.secretArns,
    roleArns: deliveryStage.roleArns,
    githubVariables: deliveryStage.githubVariables,
  };
}
