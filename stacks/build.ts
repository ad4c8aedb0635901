/**
 * Validated config → the immutable {@link Stage}: names resolved, defaults merged, subjects
 * parsed, adoption ids attached. Runs only after every check passed.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROGRAM_TAG_KEYS, StageName } from "../lib/naming";
import { byKey } from "../lib/order";
import { serviceDeployRefs } from "../lib/workflows";
import { SubjectFormat } from "../lib/subjects";
import { STAGE_DEFAULTS } from "./defaults";
import { ServiceNames, StageNames } from "./names";
import { PROJECT } from "./project";
import { DeliveryConfig } from "./schema";
import {
  DeployRulesets,
  ExtraRoleStage,
  GithubSecretStage,
  SecretStage,
  ServiceStage,
  StageWithoutAccess,
  runsTasks,
} from "./stage";
import { Trust, trustedRepository } from "./trust";

/** What the stage needs besides the validated `delivery:*` config. */
export interface BuildContext {
  readonly stack: string;
  readonly stage: StageName;
  readonly owner: string;
  readonly region: string;
  /** The raw config map, for the encrypted values `source: config` refers to. */
  readonly values: Readonly<Record<string, string>>;
  /** The accounts the stack may run in: `aws:allowedAccountIds`, else the one config's ARNs name. */
  readonly allowedAccountIds?: readonly string[];
}

/** Builds the stage from a config that passed every check, with its subjects parsed once. */
export function buildStageObject(
  ctx: BuildContext,
  c: DeliveryConfig,
  trust: Trust,
  names: StageNames,
): StageWithoutAccess {
  const { stage, owner } = ctx;
  const d = STAGE_DEFAULTS[stage];
  const repo = { owner, repository: c.github.repository };
  const encrypted = (key: string) => pulumi.secret(ctx.values[`${PROJECT}:${key}`]);
  const secrets: SecretStage[] = byKey(c.secrets).map(([key, decl]) => {
    const adoptArn = c.adopt.secrets[key];
    return {
      key,
      name: names.secrets[key],
      recoveryWindowDays: decl.recoveryWindowDays ?? c.secretSettings.recoveryWindowDays,
      // The default says whose secret it is; an adopted one keeps its own (config gives it).
      description: decl.description ?? `${c.app} ${stage}: ${key} (${decl.source})`,
      adoptArn,
      source:
        decl.source === "generated"
          ? {
              kind: "generated",
              length: decl.length,
              special: decl.special,
              upper: decl.upper,
              lower: decl.lower,
              numeric: decl.numeric,
              rotation: decl.rotation,
            }
          : decl.source === "config"
            ? { kind: "config", value: encrypted(decl.key) }
            : // An adopted external secret already has its value: never write a placeholder over it.
              { kind: "external", placeholder: decl.placeholder && !adoptArn },
    };
  });

  const services: ServiceStage[] = byKey(c.services).map(([key, s]) =>
    serviceStage(key, s, names.services[key], c),
  );

  const githubSecrets: GithubSecretStage[] = byKey(c.github.secrets).map(([name, decl]) => ({
    name,
    source:
      decl.source === "config"
        ? { kind: "config", value: encrypted(decl.key) }
        : {
            kind: "generated",
            length: decl.length,
            special: decl.special,
            rotation: decl.rotation,
          },
  }));

  const subjectFormat: SubjectFormat = {
    ids: c.github.subjectFormat,
    ownerId: c.github.ownerId,
    repositoryId: c.github.repositoryId,
    claimKeys: c.github.subjectClaims?.includeClaimKeys,
  };

  const roles: ExtraRoleStage[] = byKey(c.roles).map(([key, r]) => {
    const ownRepo = r.repository !== undefined && r.repository !== c.github.repository;
    const trusted = trustedRepository(owner, c, r);
    return {
      key,
      name: names.roles[key],
      repo: trusted,
      // The customization template belongs to the app repository; another repository keeps
      // GitHub's default layout, with its own id when ids are in use.
      subjectFormat: ownRepo
        ? {
            ids: r.subjectFormat ?? c.github.subjectFormat,
            ownerId: c.github.ownerId,
            repositoryId: r.repositoryId,
          }
        : subjectFormat,
      subjects: trust.roles[key],
      maxSessionDuration: r.maxSessionDuration,
      permissionsBoundary: r.permissionsBoundary,
      grants: { ...r.grants },
    };
  });

  const cluster = c.ecs.cluster;
  const p = c.github.protection;
  return {
    stack: ctx.stack,
    name: stage,
    app: c.app,
    region: ctx.region,
    allowedAccountIds: ctx.allowedAccountIds,
    tags: {
      ...c.tags,
      ...({ app: c.app, stage, "managed-by": "pulumi-delivery" } satisfies Record<
        (typeof PROGRAM_TAG_KEYS)[number],
        string
      >),
    },
    repo,
    github: {
      environment: c.github.environment,
      deployBranches: c.github.deployBranches,
      deployTags: c.github.deployTags,
      manage: c.github.manage,
      subjectFormat,
      manageSubjectClaims: c.github.subjectClaims?.manage ?? false,
      protection: {
        users: p.reviewers.users,
        teams: p.reviewers.teams,
        preventSelfReview: p.preventSelfReview,
        waitTimerMinutes: p.waitTimerMinutes,
        canAdminsBypass: p.canAdminsBypass,
      },
      secrets: githubSecrets,
      commitWorkflows: c.github.commitWorkflows,
      deployEvents: c.github.deployEvents,
      plan: c.github.plan,
      visibility: c.github.visibility,
      rulesets: deployRulesets(c, names),
      variables: Object.fromEntries(byKey(c.github.variables).map(([k, v]) => [k, String(v)])),
    },
    oidc: { mode: c.oidc.mode, arn: c.oidc.arn, adoptArn: c.adopt.oidcProvider },
    // Without services there is nothing to deploy: extra roles do what the stage needs.
    deployRole:
      services.length === 0
        ? undefined
        : {
            name: names.deployRole,
            subjects: [{ kind: "environment", value: c.github.environment }, ...trust.deploy],
            maxSessionDuration: c.deployRole.maxSessionDuration,
            permissionsBoundary: c.deployRole.permissionsBoundary,
            grants: { ...c.deployRole.grants },
          },
    ecr: { ...c.ecr },
    services,
    secrets,
    secretsKmsKeyArn: c.secretSettings.kmsKeyArn,
    ecs: {
      imageOwner: c.ecs.imageOwner,
      logRetentionDays: c.ecs.logRetentionDays,
      cluster:
        !cluster || names.cluster === undefined
          ? undefined
          : "create" in cluster
            ? {
                create: true,
                name: names.cluster,
                containerInsights: cluster.containerInsights,
                adopt: c.adopt.cluster !== undefined,
              }
            : { create: false, name: names.cluster },
      network: c.ecs.network,
    },
    roles,
    fallback: {
      enabled: c.fallback.enabled,
      alarmEmails: c.fallback.alarmEmails,
      trailArn: c.fallback.trailArn,
      names: names.fallback,
    },
    protectData: d.protectData,
    names,
    waivers: { ...c.waivers },
    shared: c.shared,
  } satisfies StageWithoutAccess;
}

/** One service of the stage: an image only, or a service that runs on ECS. */
function serviceStage(
  key: string,
  s: DeliveryConfig["services"][string],
  n: ServiceNames,
  c: DeliveryConfig,
): ServiceStage {
  const base = {
    key,
    repositoryName: n.repository,
    deployOn: serviceDeployRefs(key, s.deployOn, Object.keys(c.services), c.github),
    architecture: s.architecture,
    build: { ...s.build },
    variableNames: s.variableNames,
    existingRepository: s.existingRepository !== undefined,
    adoptRepository: c.adopt.repositories[key],
  };
  if (!runsTasks(s))
    return { ...base, kind: "image", names: { kind: "image", repository: n.repository } };
  if (n.kind !== "task")
    throw new Error(`buildStage: the names table has no task names for service ${key}`);
  return {
    ...base,
    kind: s.kind,
    name: n.family,
    names: n,
    port: s.kind === "web" ? s.port : undefined,
    healthCheck:
      s.kind === "web"
        ? { kind: "http", tool: s.healthCheckCommand, path: s.healthCheckPath ?? "/" }
        : s.healthCheck
          ? { kind: "command", command: s.healthCheck.command }
          : { kind: "none" },
    command: s.command,
    entryPoint: s.entryPoint,
    cpu: s.cpu,
    memory: s.memory,
    environment: Object.fromEntries(byKey(s.environment).map(([k, v]) => [k, String(v)])),
    secrets: byKey(s.secrets).map(([variable, ref]) =>
      typeof ref === "string"
        ? { variable, secret: ref }
        : { variable, secret: ref.secret, jsonKey: ref.jsonKey },
    ),
    readonlyRootFilesystem: s.readonlyRootFilesystem,
    imageTag: s.imageTag ?? c.ecs.bootstrapImageTag,
    logGroupName: n.logGroup,
    desiredCount: s.autoscaling ? s.autoscaling.minTasks : s.desiredCount,
    autoscaling: s.autoscaling ? { ...s.autoscaling } : undefined,
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    targetGroupArn: s.targetGroupArn,
    existingServiceName: s.existingServiceName,
    taskRolePolicyArns: s.taskRolePolicyArns,
    existingExecutionRoleArn: s.executionRoleArn,
    existingTaskRoleArn: s.taskRoleArn,
    adoptLogGroup: c.adopt.logGroups[key],
  };
}

/** Freezes plain data deeply; Pulumi Outputs are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (
    typeof value === "object" &&
    value !== null &&
    !pulumi.Output.isInstance(value) &&
    !Object.isFrozen(value)
  ) {
    Object.values(value as Record<string, unknown>).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** The rulesets on the deploy refs, with their names; none when off or nothing deploys. */
function deployRulesets(c: DeliveryConfig, names: StageNames): DeployRulesets | undefined {
  const { tags, branches } = names.github.rulesets;
  if (tags === undefined && branches === undefined) return undefined;
  const r = c.github.rulesets;
  return {
    tags: tags === undefined ? undefined : { name: tags, patterns: c.github.deployTags },
    branches:
      branches === undefined
        ? undefined
        : {
            name: branches,
            patterns: c.github.deployBranches,
            requiredApprovals: r.requiredApprovals,
          },
    bypass: { roles: r.bypass.roles, teams: r.bypass.teams, apps: r.bypass.apps },
  };
}
