/**
 * Defaults that differ by stage, and those several keys share. A default that belongs to one key
 * only sits in the schema next to that key. Prod is stricter: immutable image tags, protected
 * data, longer retention and recovery windows.
 */
import { StageName } from "../lib/naming";

/** Defaults and limits that differ between stages. */
export interface StageDefaults {
  /** GitHub environment whose jobs may assume the deploy role. */
  readonly githubEnvironment: string;
  /** Branches whose workflow runs may deploy through the environment. */
  readonly deployBranches: readonly string[];
  readonly ecr: {
    readonly imageTagMutability: "MUTABLE" | "IMMUTABLE";
    readonly untaggedExpiryDays: number;
    readonly keepLastImages: number;
  };
  /** `protect` prod's repositories, secrets and log groups against `pulumi destroy`. */
  readonly protectData: boolean;
  /** Whether `forceDelete` (deleting a repository with images) may be configured. */
  readonly allowForceDelete: boolean;
  readonly logRetentionDays: number;
  readonly secretRecoveryWindowDays: number;
  /** Smallest recovery window config may set; 0 deletes a secret at once. */
  readonly minSecretRecoveryWindowDays: number;
  readonly desiredCount: number;
  readonly containerInsights: "enabled" | "enhanced" | "disabled";
  /** The environment a role of this stage must never trust. */
  readonly otherStageEnvironment: string;

  /** Whoever triggered a deployment may not approve it. */
  readonly preventSelfReview: boolean;
  /** Repository admins may deploy without the environment's approvals. */
  readonly canAdminsBypass: boolean;
  /** Rulesets guard the refs that may deploy (`github.rulesets.enabled`). */
  readonly deployRulesets: boolean;
}

export const STAGE_DEFAULTS: Readonly<Record<StageName, StageDefaults>> = {
  staging: {
    githubEnvironment: "staging",
    deployBranches: ["main"],
    ecr: { imageTagMutability: "MUTABLE", untaggedExpiryDays: 7, keepLastImages: 20 },
    protectData: false,
    allowForceDelete: true,
    logRetentionDays: 30,
    secretRecoveryWindowDays: 7,
    minSecretRecoveryWindowDays: 0,
    desiredCount: 1,
    containerInsights: "enabled",
    otherStageEnvironment: "production",
    preventSelfReview: false,
    canAdminsBypass: true,
    deployRulesets: false,
  },
  prod: {
    githubEnvironment: "production",
    deployBranches: [],
    ecr: { imageTagMutability: "IMMUTABLE", untaggedExpiryDays: 7, keepLastImages: 50 },
    protectData: true,
    allowForceDelete: false,
    logRetentionDays: 90,
    secretRecoveryWindowDays: 30,
    minSecretRecoveryWindowDays: 7,
    desiredCount: 2,
    containerInsights: "enabled",
    otherStageEnvironment: "staging",
    preventSelfReview: true,
    canAdminsBypass: false,
    deployRulesets: true,
  },
};

/** Settings every stage shares. */
export const COMMON_DEFAULTS = {
  maxSessionDurationSeconds: 3600,
  architecture: "X86_64",
  cpu: 256,
  memory: 512,
  bootstrapImageTag: "bootstrap",
  generatedSecretLength: 32,
  healthCheck: { intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 60 },
  healthCheckGracePeriodSeconds: 60,
  /** `delivery:ecs.imageOwner`: CI registers task definition revisions. */
  imageOwner: "pipeline",
} as const;
