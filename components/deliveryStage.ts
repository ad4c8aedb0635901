import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Stage } from "../stacks/stage";
import { ecrLogin, ecrPushPull, ecsDeploy } from "../lib/grants";
import { EcrRepository } from "./ecrRepository";
import { FargateService, FargateServicePlacement } from "./fargateService";
import { GithubActionsRole } from "./githubActionsRole";
import { GithubOidcProvider } from "./githubOidcProvider";
import { RuntimeSecret } from "./runtimeSecret";

/** Arguments of {@link DeliveryStage}. */
export interface DeliveryStageArgs {
  /** The validated stage, from `stacks/load.ts`. */
  readonly stage: Stage;
}

/** What one service of the stage exposes to CI and to the outputs. */
export interface ServiceOutputs {
  readonly repositoryName: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly taskDefinitionFamily: pulumi.Output<string>;
  readonly containerName: string;
  readonly logGroupName: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly clusterName?: pulumi.Output<string>;
  readonly serviceName?: pulumi.Output<string>;
  readonly serviceArn?: pulumi.Output<string>;
}

/**
 * One stage of the delivery path, from its validated config: the GitHub OIDC provider (created
 * or looked up), the stage's runtime secrets, an ECR repository and Fargate service per service,
 * and the deploy role that may push to exactly those repositories and deploy exactly those
 * services.
 */
export class DeliveryStage extends pulumi.ComponentResource {
  readonly accountId: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly deployRoleArn: pulumi.Output<string>;
  clusterName?: pulumi.Output<string>;
  readonly services: Readonly<Record<string, ServiceOutputs>>;
  /** Secret key → ARN. Never the value. */
  readonly secretArns: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: DeliveryStageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:stage:DeliveryStage", name, {}, opts);
    const s = args.stage;
    this.accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const oidc = new GithubOidcProvider(
      `${name}-oidc`,
      { mode: s.oidc.mode, arn: s.oidc.arn },
      { parent: this },
    );

    const secrets = Object.fromEntries(
      s.secrets.map((secret) => [
        secret.key,
        new RuntimeSecret(
          `${name}-${secret.key}`,
          {
            secretName: secret.name,
            description: `${s.app} ${s.name}: ${secret.key} (${secret.source.kind})`,
            source: secret.source,
            recoveryWindowDays: secret.recoveryWindowDays,
            kmsKeyArn: s.secretsKmsKeyArn,
            protect: s.protectData,
          },
          { parent: this },
        ),
      ]),
    );
    this.secretArns = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v.arn]));

    const placement = this.placement(name, s);

    const services: Record<string, ServiceOutputs> = {};
    const deployed: FargateService[] = [];
    const repositories: EcrRepository[] = [];
    for (const svc of s.services) {
      const repository = new EcrRepository(
        `${name}-${svc.key}`,
        {
          repositoryName: svc.repositoryName,
          imageTagMutability: s.ecr.imageTagMutability,
          scanOnPush: s.ecr.scanOnPush,
          untaggedExpiryDays: s.ecr.untaggedExpiryDays,
          keepLastImages: s.ecr.keepLastImages,
          kmsKeyArn: s.ecr.kmsKeyArn,
          forceDelete: s.ecr.forceDelete,
          protect: s.protectData,
        },
        { parent: this },
      );
      repositories.push(repository);
      const service = new FargateService(
        `${name}-${svc.key}`,
        {
          service: svc,
          region: s.region,
          accountId: this.accountId,
          repositoryArn: repository.arn,
          repositoryUrl: repository.repositoryUrl,
          secretArns: Object.fromEntries(
            svc.secrets.map((r) => [r.secret, this.secretArns[r.secret]]),
          ),
          secretsKmsKeyArn: s.secretsKmsKeyArn,
          imageOwner: s.ecs.imageOwner,
          logRetentionDays: s.ecs.logRetentionDays,
          placement,
          protect: s.protectData,
        },
        { parent: this },
      );
      deployed.push(service);
      services[svc.key] = {
        repositoryName: repository.repositoryName,
        repositoryUrl: repository.repositoryUrl,
        taskDefinitionFamily: service.family,
        containerName: service.containerName,
        logGroupName: service.logGroupName,
        executionRoleArn: service.executionRoleArn,
        taskRoleArn: service.taskRoleArn,
        clusterName: placement ? this.clusterName : undefined,
        serviceName: service.serviceName,
        serviceArn: service.serviceArn,
      };
    }
    this.services = services;

    const serviceArns = deployed.flatMap((d) => (d.serviceArn ? [d.serviceArn] : []));
    const passRoleArns = deployed.flatMap((d) => [d.executionRoleArn, d.taskRoleArn]);
    const deployRole = new GithubActionsRole(
      `${name}-deploy`,
      {
        roleName: s.deployRole.name,
        description: `GitHub Actions deploys of ${s.repo.owner}/${s.repo.repository} to ${s.app} ${s.name}`,
        providerArn: oidc.arn,
        repo: s.repo,
        subjects: s.deployRole.subjects,
        maxSessionDuration: s.deployRole.maxSessionDuration,
        permissionsBoundary: s.deployRole.permissionsBoundary,
        grants: {
          ecr: pulumi
            .all(repositories.map((r) => r.arn))
            .apply((arns) => [ecrLogin(), ...ecrPushPull(arns)]),
          ecs: pulumi
            .all([pulumi.all(serviceArns), pulumi.all(passRoleArns)])
            .apply(([svcArns, roleArns]) =>
              ecsDeploy({ serviceArns: svcArns, passRoleArns: roleArns }),
            ),
        },
      },
      { parent: this },
    );

    this.oidcProviderArn = oidc.arn;
    this.deployRoleArn = deployRole.arn;
    this.registerOutputs({
      accountId: this.accountId,
      oidcProviderArn: this.oidcProviderArn,
      deployRoleArn: this.deployRoleArn,
      clusterName: this.clusterName,
      secretArns: this.secretArns,
    });
  }

  /** The cluster (created or looked up) and network of the stage's services, if it has any. */
  private placement(name: string, s: Stage): FargateServicePlacement | undefined {
    const cluster = s.ecs.cluster;
    if (!cluster) return undefined;
    let clusterArn: pulumi.Output<string>;
    let clusterName: pulumi.Output<string>;
    if (cluster.create) {
      const created = new aws.ecs.Cluster(
        `${name}-cluster`,
        // Security Hub ECS.12: Container Insights on.
        {
          name: cluster.name,
          settings: [{ name: "containerInsights", value: cluster.containerInsights }],
        },
        { parent: this },
      );
      clusterArn = created.arn;
      clusterName = created.name;
    } else {
      const existing = aws.ecs.getClusterOutput({ clusterName: cluster.name }, { parent: this });
      clusterArn = existing.arn;
      clusterName = existing.clusterName;
    }
    this.clusterName = clusterName;
    const network = s.ecs.network;
    if (!network) return undefined;
    return {
      clusterArn,
      clusterName,
      subnets: network.subnets,
      securityGroups: network.securityGroups,
      assignPublicIp: network.assignPublicIp,
    };
  }
}

/** The stack outputs: names and ARNs CI and people need, never a secret value. */
export interface StageOutputs {
  readonly stage: string;
  readonly region: string;
  readonly accountId: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly deployRoleArn: pulumi.Output<string>;
  readonly githubEnvironment: string;
  readonly clusterName?: pulumi.Output<string>;
  readonly services: Readonly<Record<string, ServiceOutputs>>;
  readonly secretArns: Readonly<Record<string, pulumi.Output<string>>>;
}

/**
 * The program: declares one stage from its validated config and returns the stack outputs.
 * `index.ts`, the offline plan and the tests all call this, so they run the same program.
 */
export function buildStage(stage: Stage, opts?: pulumi.ComponentResourceOptions): StageOutputs {
  // One explicit provider carries the region and the tags every AWS resource gets.
  const awsProvider = new aws.Provider(stage.app, {
    region: stage.region as aws.Region,
    defaultTags: { tags: { ...stage.tags } },
  });
  const deliveryStage = new DeliveryStage(
    stage.app,
    { stage },
    pulumi.mergeOptions(opts, { providers: { aws: awsProvider } }),
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
  };
}
