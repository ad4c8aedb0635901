import * as iam from "@pulumi/aws/iam";
import * as ecs from "@pulumi/aws/ecs";
import * as appautoscaling from "@pulumi/aws/appautoscaling";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as pulumi from "@pulumi/pulumi";
import { COMMON_DEFAULTS } from "../stacks/defaults";
import { TaskServiceStage } from "../stacks/stage";
import { TMP_VOLUME, containerDefinition, secretValueFrom } from "../lib/containers";
import { ECS_TASKS_SERVICE } from "../lib/grants";
import { serviceTrustPolicy } from "../lib/iam";
import { policyNameOf } from "../lib/arns";
import { adoption } from "./adoption";
import { RenderedPolicies, declareRolePolicies } from "./policies";

/** Where the service runs, when the stage declares services (not just task definitions). */
export interface FargateServicePlacement {
  /** The cluster the service runs on. */
  readonly clusterArn: pulumi.Input<string>;
  /** Where a created service's tasks run; an existing service keeps its own. */
  readonly network?: {
    /** Subnets of the tasks' network interfaces (at most 16). */
    readonly subnets: readonly string[];
    /** Security groups of the tasks (at most 5). */
    readonly securityGroups: readonly string[];
    /** Security Hub ECS.2: off unless config says so. */
    readonly assignPublicIp: boolean;
  };
}

/** Arguments of {@link FargateService}. */
export interface FargateServiceArgs {
  /** The service's validated settings (name, port, health path, size, secrets, ...). */
  readonly service: TaskServiceStage;
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  /** The service's ECR repository. */
  readonly repositoryUrl: pulumi.Input<string>;
  /** Secret key (in `delivery:secrets`) → ARN, for exactly the secrets this service lists. */
  readonly secretArns: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The execution role's policies (pull its image, write its logs, read exactly its secrets),
   * laid out by the stage's access model.
   */
  readonly executionPolicies?: RenderedPolicies;
  /**
   * `pipeline`: CI registers new task definition revisions and updates the service; Pulumi
   * ignores the service's `taskDefinition` so `pulumi up` never rolls back a deploy.
   * `stack`: the image tag is config and `pulumi up` deploys it.
   */
  readonly imageOwner: "pipeline" | "stack";
  readonly logRetentionDays: number;
  /** Where to run the service; without it only the task definition is declared. */
  readonly placement?: FargateServicePlacement;
  /** `protect` the log group (prod). */
  readonly protect: boolean;
}

/**
 * Everything one service needs on Fargate: its log group, an execution role that can pull its
 * image, write its logs and read exactly its secrets, a task role for the app's own permissions
 * (only the managed policies config attaches), the task definition and, when placed, the ECS
 * service with a circuit breaker.
 */
export class FargateService extends pulumi.ComponentResource {
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly family: pulumi.Output<string>;
  readonly containerName: string;
  readonly logGroupName: pulumi.Output<string>;
  readonly logGroupArn: pulumi.Output<string>;
  /** The service CI updates, when the stage has one (created or existing). */
  readonly serviceArn?: pulumi.Output<string>;
  readonly serviceName?: pulumi.Output<string>;

  constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:aws:FargateService", name, {}, opts);
    const svc = args.service;
    for (const ref of svc.secrets) {
      if (!(ref.secret in args.secretArns)) {
        throw new Error(
          `FargateService ${name}: secretArns lacks "${ref.secret}", which ${ref.variable} reads`,
        );
      }
    }

    const logGroup = new cloudwatch.LogGroup(
      `${name}-logs`,
      { name: svc.logGroupName, retentionInDays: args.logRetentionDays },
      { parent: this, protect: args.protect, ...adoption(svc.adoptLogGroup) },
    );

    const trust = pulumi
      .output(args.accountId)
      .apply((account) => JSON.stringify(serviceTrustPolicy(ECS_TASKS_SERVICE, account)));
    // An existing role is the team's own: used as it is, never written to. Looked up, so a
    // misspelt ARN fails the preview instead of RegisterTaskDefinition in pulumi up.
    const existingRole = (arn: string) =>
      iam.getRoleOutput({ name: policyNameOf(arn) }, { parent: this }).apply(() => arn);
    let executionRoleArn: pulumi.Output<string>;
    if (svc.existingExecutionRoleArn) {
      executionRoleArn = existingRole(svc.existingExecutionRoleArn);
    } else {
      const executionRole = new iam.Role(
        `${name}-execution`,
        {
          name: svc.names.executionRole,
          description: `ECS agent for ${svc.name}: pull, logs, its secrets`,
          assumeRolePolicy: trust,
        },
        { parent: this },
      );
      if (!args.executionPolicies) {
        throw new Error(`FargateService ${name}: the execution role it creates needs its policies`);
      }
      declareRolePolicies(name, executionRole, args.executionPolicies, this);
      executionRoleArn = executionRole.arn;
    }

    let taskRoleArn: pulumi.Output<string>;
    if (svc.existingTaskRoleArn) {
      taskRoleArn = existingRole(svc.existingTaskRoleArn);
    } else {
      const taskRole = new iam.Role(
        `${name}-task`,
        {
          name: svc.names.taskRole,
          description: `Application permissions of ${svc.name}`,
          assumeRolePolicy: trust,
        },
        { parent: this },
      );
      for (const policyArn of svc.taskRolePolicyArns) {
        new iam.RolePolicyAttachment(
          // Keyed by the policy's name (config refuses two of one name), not its ARN, which
          // carries the account; the ARN was the key before, hence the alias. "/" stands in no
          // service key or policy name, so no other resource of the stage gets this name.
          `${name}-task/${policyNameOf(policyArn)}`,
          { role: taskRole.name, policyArn },
          { parent: this, aliases: [{ name: `${name}-task-${policyArn}` }] },
        );
      }
      taskRoleArn = taskRole.arn;
    }

    const secretValueFroms = pulumi.all(
      Object.fromEntries(
        svc.secrets.map((r) => [
          r.variable,
          pulumi.output(args.secretArns[r.secret]).apply((arn) => secretValueFrom(arn, r.jsonKey)),
        ]),
      ),
    );
    const containers = pulumi
      .all([args.repositoryUrl, secretValueFroms])
      .apply(([repositoryUrl, secrets]) =>
        JSON.stringify([
          containerDefinition({
            name: svc.names.container,
            image: `${repositoryUrl}:${svc.imageTag}`,
            port: svc.port,
            healthCheck:
              svc.healthCheck.kind === "none"
                ? svc.healthCheck
                : { ...svc.healthCheck, ...COMMON_DEFAULTS.healthCheck },
            command: svc.command,
            entryPoint: svc.entryPoint,
            environment: svc.environment,
            secrets,
            readonlyRootFilesystem: svc.readonlyRootFilesystem,
            logGroupName: svc.logGroupName,
            region: args.region,
          }),
        ]),
      );
    const taskDefinition = new ecs.TaskDefinition(
      `${name}-task-definition`,
      {
        family: svc.names.family,
        cpu: String(svc.cpu),
        memory: String(svc.memory),
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: svc.architecture },
        executionRoleArn,
        taskRoleArn,
        containerDefinitions: containers,
        volumes: svc.readonlyRootFilesystem ? [{ name: TMP_VOLUME }] : [],
        // Earlier revisions stay registered, so a deploy can be rolled back to any of them.
        skipDestroy: true,
      },
      { parent: this },
    );

    if (args.placement && svc.existingServiceName) {
      // Looked up, so a misspelt name fails the preview instead of granting a non-existent ARN.
      const existing = ecs.getServiceOutput(
        { clusterArn: args.placement.clusterArn, serviceName: svc.existingServiceName },
        { parent: this },
      );
      this.serviceName = existing.serviceName;
      // The deploy role is granted the long ARN format (service/<cluster>/<name>); a service
      // made before that format would never match it.
      this.serviceArn = existing.arn.apply((arn) => {
        if (!/:service\/[^/]+\/[^/]+$/.test(arn)) {
          throw new pulumi.RunError(
            `the existing ECS service ${svc.existingServiceName} has the old short ARN ${arn}, which the deploy role's grant (service/<cluster>/<name>) never matches. Fix: re-create the service after opting in to the long ARN format (aws ecs put-account-setting-default --name serviceLongArnFormat --value enabled), or let this stack create it`,
          );
        }
        return arn;
      });
    } else if (args.placement?.network) {
      const p = { clusterArn: args.placement.clusterArn, ...args.placement.network };
      const service = new ecs.Service(
        `${name}-service`,
        {
          name: svc.names.service,
          cluster: p.clusterArn,
          taskDefinition: taskDefinition.arn,
          desiredCount: svc.desiredCount,
          launchType: "FARGATE",
          platformVersion: "LATEST",
          networkConfiguration: {
            subnets: [...p.subnets],
            securityGroups: [...p.securityGroups],
            assignPublicIp: p.assignPublicIp,
          },
          deploymentCircuitBreaker: { enable: true, rollback: true },
          deploymentMinimumHealthyPercent: 100,
          deploymentMaximumPercent: 200,
          propagateTags: "SERVICE",
          enableEcsManagedTags: true,
          waitForSteadyState: false,
          ...(svc.targetGroupArn && svc.port !== undefined
            ? {
                loadBalancers: [
                  {
                    targetGroupArn: svc.targetGroupArn,
                    containerName: svc.names.container,
                    containerPort: svc.port,
                  },
                ],
                // Only valid with a load balancer.
                healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds,
              }
            : {}),
        },
        // In pipeline mode CI owns the running revision: `pulumi up` must not roll it back. With
        // autoscaling the scaler owns the task count: `pulumi up` must not reset it either.
        {
          parent: this,
          ignoreChanges: [
            ...(args.imageOwner === "pipeline" ? ["taskDefinition"] : []),
            ...(svc.autoscaling ? ["desiredCount"] : []),
          ],
        },
      );
      this.serviceName = service.name;
      this.serviceArn = service.arn;
    }
    if (svc.autoscaling && this.serviceArn) this.autoscale(name, svc, this.serviceArn);

    this.executionRoleArn = executionRoleArn;
    this.taskRoleArn = taskRoleArn;
    this.taskDefinitionArn = taskDefinition.arn;
    this.family = taskDefinition.family;
    this.containerName = svc.names.container;
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;
    this.registerOutputs({
      executionRoleArn: this.executionRoleArn,
      taskRoleArn: this.taskRoleArn,
      taskDefinitionArn: this.taskDefinitionArn,
      family: this.family,
      containerName: this.containerName,
      logGroupName: this.logGroupName,
      serviceArn: this.serviceArn,
      serviceName: this.serviceName,
    });
  }

  /**
   * Application Auto Scaling owns the service's task count between min and max, with a target
   * tracking policy per metric.
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
   */
  private autoscale(name: string, svc: TaskServiceStage, serviceArn: pulumi.Output<string>): void {
    const a = svc.autoscaling;
    if (!a) return;
    const target = new appautoscaling.Target(
      `${name}-scaling`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        // service/<cluster>/<service>: the service ARN's resource part.
        resourceId: serviceArn.apply((arn) => arn.split(":").slice(5).join(":")),
        minCapacity: a.minTasks,
        maxCapacity: a.maxTasks,
      },
      { parent: this },
    );
    const metrics = [
      ["cpu", a.cpuTarget, svc.names.scalingPolicies.cpu, "ECSServiceAverageCPUUtilization"],
      [
        "memory",
        a.memoryTarget,
        svc.names.scalingPolicies.memory,
        "ECSServiceAverageMemoryUtilization",
      ],
    ] as const;
    for (const [metric, targetValue, policyName, predefinedMetricType] of metrics) {
      if (targetValue === undefined || policyName === undefined) continue;
      new appautoscaling.Policy(
        `${name}-scaling-${metric}`,
        {
          name: policyName,
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue,
            predefinedMetricSpecification: { predefinedMetricType },
          },
        },
        { parent: this },
      );
    }
  }
}
