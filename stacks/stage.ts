/**
 * The stage object: everything the components need, validated, with defaults applied and names
 * resolved. It is built once from the stack config (`load.ts`) and never changed afterwards.
 */
import * as pulumi from "@pulumi/pulumi";
import { BypassRole, GithubPlan, RepositoryVisibility } from "../lib/githubPlans";
import { StageName } from "../lib/naming";
import { byKey } from "../lib/order";
import { RepositoryRef, Subject, SubjectFormat } from "../lib/subjects";
import type { ServiceRun, ServiceVariableNames } from "../lib/variables";
import type { StageAccess } from "./access";
import type { Waivers } from "./schema";
import { FallbackNames, ImageServiceNames, StageNames, TaskServiceNames } from "./names";

/** How one secret's value comes into Secrets Manager. */
export type SecretSource =
  | {
      readonly kind: "generated";
      readonly length: number;
      readonly special: boolean;
      readonly upper: boolean;
      readonly lower: boolean;
      readonly numeric: boolean;
      /** Raise to rotate: the value is regenerated only when this changes. */
      readonly rotation: number;
    }
  | {
      readonly kind: "config";
      /** The decrypted value, a Pulumi secret. */
      readonly value: pulumi.Output<string>;
    }
  | {
      readonly kind: "external";
      /** Write a placeholder version once, so the secret has a value until someone sets it. */
      readonly placeholder: boolean;
    };

/** One runtime secret of the stage. */
export interface SecretStage {
  /** Key in `delivery:secrets`, e.g. `jwt-secret`. */
  readonly key: string;
  /** Secrets Manager name, e.g. `shop/staging/jwt-secret`. */
  readonly name: string;
  readonly source: SecretSource;
  readonly recoveryWindowDays: number;
  /**
   * Secrets Manager description: config's (the existing one, when adopting a secret), else
   * `<app> <stage>: <key> (<source>)`.
   */
  readonly description: string;
  /** ARN of an existing secret this stack takes over (Pulumi `import`). */
  readonly adoptArn?: string;
}

/** A GitHub environment secret from config (e.g. `DATABASE_URL`). */
export interface GithubSecretStage {
  readonly name: string;
  readonly source:
    | { readonly kind: "config"; readonly value: pulumi.Output<string> }
    | {
        readonly kind: "generated";
        readonly length: number;
        readonly special: boolean;
        readonly rotation: number;
      };
}

/** An extra role of the stage (preview, publishing, ...), trusted like the deploy role. */
export interface ExtraRoleStage {
  /** Key in `delivery:roles`, e.g. `preview`. */
  readonly key: string;
  /** `<app>-<stack>-<key>` (the stack name is the stage's for the standard stacks). */
  readonly name: string;
  /** The repository whose workflows may assume the role (the app's, or e.g. the infra repo). */
  readonly repo: RepositoryRef;
  readonly subjectFormat: SubjectFormat;
  readonly subjects: readonly Subject[];
  readonly maxSessionDuration: number;
  readonly permissionsBoundary?: string;
  readonly grants: ExtraGrants & {
    /** Services whose repositories the role may push to. */
    readonly pushRepositories: readonly string[];
    /** Read-only access for `pulumi preview` of this stage. */
    readonly previewReadOnly: boolean;
  };
}

/** Grants the deploy role and the extra roles may add, each with exact resources. */
export interface ExtraGrants {
  /** Keys in `delivery:secrets` the role may read. */
  readonly readSecrets: readonly string[];
  /** Customer-managed or (non-admin) AWS-managed policies attached to the role. */
  readonly managedPolicyArns: readonly string[];
  /** Assume this account's CDK bootstrap roles of this qualifier (`cdk deploy`). */
  readonly cdkBootstrap?: { readonly qualifier: string };
  /** Lambda functions of the stage's account and region the role may deploy. */
  readonly lambdaFunctions: readonly string[];
}

/** How ECS checks a container. */
export type HealthCheck =
  | { readonly kind: "http"; readonly tool: "curl" | "wget"; readonly path: string }
  | { readonly kind: "command"; readonly command: string }
  | { readonly kind: "none" };

/** A container secret: environment variable name → secret (optionally one JSON key of it). */
export interface ServiceSecretRef {
  readonly variable: string;
  readonly secret: string;
  readonly jsonKey?: string;
}

/** What a service is: `web` and `worker` run on ECS; `image` is only built and pushed. */
export type ServiceKind = "web" | "worker" | "image";

/** Whether a service (config or stage) runs its image on ECS: task definition, roles, logs. */
export function runsTasks<S extends { readonly kind: ServiceKind }>(
  s: S,
): s is S & { readonly kind: "web" | "worker" } {
  return s.kind !== "image";
}

/** The services of a config map that run on ECS, sorted by key, narrowed. */
export function taskServiceEntries<S extends { readonly kind: ServiceKind }>(
  services: Readonly<Record<string, S>>,
): [string, S & { readonly kind: "web" | "worker" }][] {
  return byKey(services).flatMap(([key, s]) =>
    runsTasks(s) ? [[key, s] as [string, typeof s]] : [],
  );
}

/** The services that run on ECS (task definitions, roles, log groups), in order. */
export function taskServices(services: readonly ServiceStage[]): TaskServiceStage[] {
  return services.filter((s): s is TaskServiceStage => runsTasks(s));
}

/** What every service has: its image, where it is built and pushed, what deploys it. */
interface ServiceBase {
  /** Key in `delivery:services`, e.g. `backend`; also the container name. */
  readonly key: string;
  readonly repositoryName: string;
  /** The deploy branches and tags that deploy this service (its workflow's triggers). */
  readonly deployOn: { readonly branches: readonly string[]; readonly tags: readonly string[] };
  readonly architecture: "ARM64" | "X86_64";
  /** The repository exists and stays someone else's: referenced, never managed here. */
  readonly existingRepository: boolean;
  /** Existing repository this stack takes over (Pulumi `import`). */
  readonly adoptRepository?: string;
  /** The service's own names for its environment variables (flat layout). */
  readonly variableNames?: ServiceVariableNames;
  /** Where the app repository's workflow builds the image. */
  readonly build: { readonly context: string; readonly dockerfile?: string };
}

/**
 * An image only (`kind: image`): its repository, and the workflow that builds and pushes it.
 * Something outside the stage runs it (another account's ECS, a Helm chart, a vendor).
 */
export interface ImageServiceStage extends ServiceBase {
  readonly kind: "image";
  /** Physical names of the service's resources: its repository only. */
  readonly names: ImageServiceNames;
}

/** A service that runs on ECS Fargate: task definition, roles, log group, maybe an ECS service. */
export interface TaskServiceStage extends ServiceBase {
  /** `web` listens on `port` behind an optional load balancer; `worker` serves no traffic. */
  readonly kind: "web" | "worker";
  /** `<app>-<stack>-<service>`: task definition family, service name, role name prefix. */
  readonly name: string;
  /** Physical names of the service's resources, from the stage's names table. */
  readonly names: TaskServiceNames;
  /** The container port; web services only. */
  readonly port?: number;
  /** How ECS checks the container: HTTP on the port (web), a command (worker), or not at all. */
  readonly healthCheck: HealthCheck;
  /** Overrides of the image's command and entry point. */
  readonly command?: readonly string[];
  readonly entryPoint?: readonly string[];
  readonly cpu: number;
  readonly memory: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly ServiceSecretRef[];
  readonly readonlyRootFilesystem: boolean;
  /** The image tag Pulumi deploys: the config's `imageTag` (stack mode) or the bootstrap tag. */
  readonly imageTag: string;
  readonly logGroupName: string;
  /** Tasks to run; with autoscaling, the scaler's minimum to start with, then the scaler's. */
  readonly desiredCount: number;
  /** Application Auto Scaling owns the task count between these, tracking CPU and/or memory. */
  readonly autoscaling?: {
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly cpuTarget?: number;
    readonly memoryTarget?: number;
  };
  readonly healthCheckGracePeriodSeconds: number;
  readonly targetGroupArn?: string;
  readonly existingServiceName?: string;
  /** Existing roles the service runs with, instead of ones this stack creates and scopes. */
  readonly existingExecutionRoleArn?: string;
  readonly existingTaskRoleArn?: string;
  /** Existing log group this stack takes over (Pulumi `import`). */
  readonly adoptLogGroup?: string;
  /** Managed policies attached to the task role: the app's own AWS permissions. */
  readonly taskRolePolicyArns: readonly string[];
}

/** One service of the stage. */
export type ServiceStage = ImageServiceStage | TaskServiceStage;

/**
 * Repository rulesets on the stage's deploy refs: only the bypass list may create, move or delete
 * a deploy tag; a deploy branch changes only through a reviewed pull request.
 */
export interface DeployRulesets {
  readonly tags?: { readonly name: string; readonly patterns: readonly string[] };
  readonly branches?: {
    readonly name: string;
    readonly patterns: readonly string[];
    readonly requiredApprovals: number;
  };
  /** Who the rules do not hold back: base repository roles, team slugs, GitHub App ids. */
  readonly bypass: {
    readonly roles: readonly BypassRole[];
    readonly teams: readonly string[];
    readonly apps: readonly number[];
  };
}

/** The validated, defaulted description of one stage. */
export interface Stage {
  readonly stack: string;
  readonly name: StageName;
  readonly app: string;
  readonly region: string;
  /**
   * The accounts the stack may run in: `aws:allowedAccountIds`, else the one account the ARNs in
   * config name. The AWS provider refuses other credentials; undefined when config names none.
   */
  readonly allowedAccountIds?: readonly string[];
  /** Tags on every AWS resource (provider default tags). */
  readonly tags: Readonly<Record<string, string>>;
  readonly repo: RepositoryRef;
  readonly github: {
    readonly environment: string;
    readonly deployBranches: readonly string[];
    readonly deployTags: readonly string[];
    /** Manage the environment, its protection, secrets and variables on the app repository. */
    readonly manage: boolean;
    /** How GitHub writes `sub` for the repository; every trust policy is rendered for it. */
    readonly subjectFormat: SubjectFormat;
    /** This stack owns the repository's subject claim customization template. */
    readonly manageSubjectClaims: boolean;
    readonly protection: {
      readonly users: readonly string[];
      readonly teams: readonly string[];
      readonly preventSelfReview: boolean;
      readonly waitTimerMinutes: number;
      readonly canAdminsBypass: boolean;
    };
    readonly secrets: readonly GithubSecretStage[];
    readonly variables: Readonly<Record<string, string>>;
    /** Commit the generated deploy workflows into the app repository. */
    readonly commitWorkflows: boolean;
    /** What starts a deploy workflow: pushes of deploy refs, published releases, or both. */
    readonly deployEvents: readonly ("push" | "release")[];
    /** The owner's GitHub plan and the repository's visibility: what GitHub lets the stack write. */
    readonly plan: GithubPlan;
    readonly visibility: RepositoryVisibility;
    /** Repository rulesets on the refs that may deploy; undefined when off or unmanaged. */
    readonly rulesets?: DeployRulesets;
  };
  readonly oidc: {
    readonly mode: "create" | "existing";
    readonly arn?: string;
    readonly adoptArn?: string;
  };
  /** The role the app repository's deploy jobs assume; none when the stage has no services. */
  readonly deployRole?: {
    readonly name: string;
    /** Always starts with the stage's environment. */
    readonly subjects: readonly Subject[];
    readonly maxSessionDuration: number;
    readonly permissionsBoundary?: string;
    /** What it may do besides deploying the stage's services. */
    readonly grants: ExtraGrants;
  };
  readonly ecr: {
    readonly imageTagMutability: "MUTABLE" | "IMMUTABLE";
    /** With immutable tags, `<stack>` alone may move (`ecr.stageTag`). */
    readonly stageTag: boolean;
    readonly scanOnPush: boolean;
    readonly untaggedExpiryDays: number;
    readonly keepLastImages: number;
    readonly kmsKeyArn?: string;
    readonly forceDelete: boolean;
  };
  readonly services: readonly ServiceStage[];
  readonly secrets: readonly SecretStage[];
  readonly secretsKmsKeyArn?: string;
  readonly ecs: {
    readonly imageOwner: "pipeline" | "stack";
    readonly logRetentionDays: number;
    readonly cluster?:
      | {
          readonly create: true;
          readonly name: string;
          readonly containerInsights: "enabled" | "enhanced" | "disabled";
          /** Take over an existing cluster of this name (Pulumi `import`). */
          readonly adopt: boolean;
        }
      | { readonly create: false; readonly name: string };
    readonly network?: {
      readonly subnets: readonly string[];
      readonly securityGroups: readonly string[];
      readonly assignPublicIp: boolean;
    };
  };
  readonly roles: readonly ExtraRoleStage[];
  /** Break-glass access keys (off by default). */
  readonly fallback: {
    readonly enabled: boolean;
    readonly alarmEmails: readonly string[];
    /** The trail whose management events show every use of the keys (`fallback.trailArn`). */
    readonly trailArn?: string;
    /** The break-glass user, topic, alarm and CloudTrail rule, when enabled. */
    readonly names?: FallbackNames;
  };
  /** `protect` repositories, secrets and log groups (prod). */
  readonly protectData: boolean;
  /** Every physical name of the stage. */
  readonly names: StageNames;
  /** What each principal may do, laid out into policies that fit IAM's quotas. */
  readonly access: StageAccess;
  /** Invariants config waives, each with its reason (`delivery:waivers`). */
  readonly waivers: Waivers;
  /** What the stage shares with a stack of the other stage, on purpose (`delivery:shared`). */
  readonly shared: readonly { readonly resource: string; readonly with: string }[];
  /** What a waiver let through, one line each; the plan prints these first. */
  readonly warnings: readonly string[];
}

/**
 * Whether a service runs as an ECS service of the stage: on its cluster, created in its network,
 * or existing (an existing service has its own network). Otherwise only its task definition
 * (and what it needs) is declared, or for an image nothing but its repository.
 */
export function isPlaced(
  ecs: { readonly cluster?: unknown; readonly network?: unknown },
  service: { readonly kind: ServiceKind; readonly existingServiceName?: string },
): boolean {
  return (
    runsTasks(service) &&
    ecs.cluster !== undefined &&
    (ecs.network !== undefined || service.existingServiceName !== undefined)
  );
}

/** How a service runs, for what the stage writes of it (`lib/variables.ts`). */
export function serviceRun(
  ecs: { readonly cluster?: unknown; readonly network?: unknown },
  service: { readonly kind: ServiceKind; readonly existingServiceName?: string },
): ServiceRun {
  return !runsTasks(service) ? "image" : isPlaced(ecs, service) ? "service" : "task";
}

/** The stage before its access is computed (from the stage itself, in `access.ts`). */
export type StageWithoutAccess = Omit<Stage, "access" | "warnings">;
