/**
 * The shape of a stack's `delivery:*` config, as zod schemas. Types, ranges and per-stage
 * defaults live here; checks that relate two keys (a service's secret must be declared, cpu and
 * memory must be a Fargate pair) live in `checks.ts`, so every problem is reported at once.
 */
import { z } from "zod";
import { ARN_KINDS } from "../lib/arns";
import { BYPASS_ROLES, GITHUB_PLANS, REPOSITORY_VISIBILITIES } from "../lib/githubPlans";
import { credentialKind } from "../lib/credentials";
import { PROGRAM_TAG_KEYS, StageName } from "../lib/naming";
import { CLAIM_KEYS, ENVIRONMENT_NAME_PATTERN } from "../lib/subjects";
import { NAMESPACES } from "./names";
import { COMMON_DEFAULTS, STAGE_DEFAULTS } from "./defaults";

/**
 * Names used inside physical resource names: lowercase letters, digits and single `-` between
 * them (ECR refuses runs of separators in the repository names built from them).
 */
export const NAME_PATTERN = /^[a-z](?:-?[a-z0-9])*$/;
/** Container environment variable names. */
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A strict object: unknown keys are reported with the list of known ones. */
function strict<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key. Fix: remove it or correct the spelling; known keys here: ${Object.keys(shape).join(", ")}`
        : undefined,
  });
}

function name(what: string, example: string, maxLength = 32) {
  return z
    .string()
    .max(maxLength, {
      error: `${what} is too long (at most ${maxLength} characters). Fix: shorten it`,
    })
    .regex(NAME_PATTERN, {
      error: `${what} must be lowercase letters, digits and "-", starting with a letter and not ending with "-". Fix: e.g. "${example}"`,
    });
}

function intRange(what: string, min: number, max: number) {
  const message = `${what} must be a whole number from ${min} to ${max}`;
  return z
    .number({ error: `${message}. Fix: write a number without quotes` })
    .int({ error: `${message}. Fix: drop the fraction` })
    .min(min, { error: (i) => `${message}, got ${String(i.input)}. Fix: use at least ${min}` })
    .max(max, { error: (i) => `${message}, got ${String(i.input)}. Fix: use at most ${max}` });
}

/** An ARN of exactly one kind of resource (`lib/arns.ts`). */
function arn(what: string, kind: keyof typeof ARN_KINDS) {
  const k = ARN_KINDS[kind];
  return z
    .string({ error: `${what} must be ${k.what}. Fix: e.g. "${k.example}"` })
    .regex(k.pattern, { error: `${what} must be ${k.what}. Fix: e.g. "${k.example}"` });
}

/**
 * A list whose entries are unique: each entry becomes its own resource (a deployment policy, an
 * e-mail subscription, an attachment), and the engine refuses two resources with one URN.
 */
function unique<T extends z.ZodType<string | number>>(
  list: z.ZodArray<T>,
  what: string,
  ignoreCase = false,
) {
  return list.superRefine((values, ctx) => {
    const seen = new Set<string>();
    values.forEach((value, i) => {
      const id = ignoreCase ? String(value).toLowerCase() : String(value);
      if (seen.has(id)) {
        ctx.addIssue({
          code: "custom",
          path: [i],
          input: value,
          message: `${what} lists "${String(value)}" twice${ignoreCase ? " (ignoring letter case, as the service does)" : ""}. Fix: list it once`,
        });
      }
      seen.add(id);
    });
  });
}

const positiveId = (what: string, command: string) =>
  z
    .number({ error: `${what} must be GitHub's numeric id. Fix: find it with \`${command}\`` })
    .int({ error: `${what} must be a whole number` })
    .positive({ error: `${what} must be positive` })
    .optional();

/** An ECR repository name, as the names table checks it. */
const ecrRepositoryName = (example: string) =>
  z
    .string()
    .min(NAMESPACES.ecrRepository.minLength, {
      error: `an ECR repository name has at least ${NAMESPACES.ecrRepository.minLength} characters. Fix: e.g. "${example}"`,
    })
    .max(NAMESPACES.ecrRepository.maxLength, {
      error: `an ECR repository name has at most ${NAMESPACES.ecrRepository.maxLength} characters. Fix: shorten it`,
    })
    .regex(NAMESPACES.ecrRepository.pattern, {
      error: `must be an ECR repository name: ${NAMESPACES.ecrRepository.allowed}. Fix: e.g. "${example}"`,
    });
/** A Docker image tag. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** An ECS cluster or service name. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** A path in the app repository (build context, Dockerfile). */
const BUILD_PATH = /^[A-Za-z0-9_./-]+$/;
/** A GitHub repository name, without its owner. */
const GITHUB_REPOSITORY_NAME = /^[A-Za-z0-9_.-]+$/;

/** The retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** A yes/no setting. */
const bool = () => z.boolean({ error: "must be true or false" });

/** A generated value's settings, for GitHub secrets and runtime secrets alike. */
const generatedValue = () => ({
  length: intRange("length", 16, 4096).default(COMMON_DEFAULTS.generatedSecretLength),
  special: bool().default(false),
  rotation: intRange("rotation", 0, 1_000_000).default(0),
});

/** What a config key (without `delivery:`) holding an encrypted value may look like. */
export const CONFIG_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The config key (without `delivery:`) that holds an encrypted value. */
const configKey = () =>
  z
    .string({
      error: "the config key holding the encrypted value is required. Fix: e.g. key: databaseUrl",
    })
    .regex(CONFIG_KEY_PATTERN, {
      error: 'must be a key name without the "delivery:" prefix. Fix: e.g. "databaseUrl"',
    });

const stringList = (what: string, ignoreCase = false) =>
  unique(
    z.array(
      z
        .string()
        .min(1, { error: `${what} entries must not be empty. Fix: remove the empty entry` }),
      {
        error: `${what} must be a list of strings. Fix: write it as a YAML list`,
      },
    ),
    what,
    ignoreCase,
  );

/**
 * AWS tags on every resource: IAM's rules, the strictest of the services tagged (IAM API Tag:
 * key 1-128, value 0-256, letters, digits, spaces and _.:/=+-@; IAM quotas: 50 tags per
 * resource; `aws:` reserved in keys and values; IAM role and user tag keys ignore letter case).
 */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAGS_PER_RESOURCE = 50;
const tagText = (what: "key" | "value", max: number) =>
  z
    .string({ error: `a tag ${what} must be text` })
    .max(max, { error: `a tag ${what} has at most ${max} characters. Fix: shorten it` })
    .regex(TAG_CHARS, {
      error: `a tag ${what} may hold only letters, digits, spaces and _.:/=+-@ (IAM's Tag pattern). Fix: remove the other characters`,
    })
    .refine((t) => !t.toLowerCase().startsWith("aws:"), {
      error: `a tag ${what} may not start with "aws:", which AWS reserves. Fix: use another prefix`,
    })
    // Tags are readable by anyone who may list the resources.
    .refine((t) => credentialKind(t) === undefined, {
      error: (i) =>
        `a tag ${what} holds what looks like ${credentialKind(String(i.input))}, and tags are readable by anyone who may list resources. Fix: remove it`,
    });
const tags = () =>
  z
    .record(
      tagText("key", 128).min(1, { error: "a tag key may not be empty" }),
      tagText("value", 256),
      {
        error: "must be a map of tag: value",
      },
    )
    .superRefine((map, ctx) => {
      const keys = Object.keys(map);
      const max = TAGS_PER_RESOURCE - PROGRAM_TAG_KEYS.length;
      if (keys.length > max) {
        ctx.addIssue({
          code: "custom",
          input: map,
          message: `${keys.length} tags, but AWS allows ${TAGS_PER_RESOURCE} per resource and the program sets ${PROGRAM_TAG_KEYS.length} (${PROGRAM_TAG_KEYS.join(", ")}). Fix: keep at most ${max}`,
        });
      }
      const seen = new Map<string, string>(PROGRAM_TAG_KEYS.map((k) => [k.toLowerCase(), k]));
      for (const key of keys) {
        const other = seen.get(key.toLowerCase());
        if (other !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            input: key,
            message: (PROGRAM_TAG_KEYS as readonly string[]).includes(other)
              ? `the program sets the tag "${other}" on every resource, and IAM tag keys ignore letter case. Fix: remove it`
              : `the tag "${other}" is also set, and IAM tag keys ignore letter case ("Duplicate tag keys found"). Fix: keep one of them`,
          });
        }
        seen.set(key.toLowerCase(), key);
      }
    });

/**
 * A secret's recovery window: 0 (delete at once) or 7 to 30 days
 * (terraform-provider-aws secretsmanager/secret.go; Secrets Manager DeleteSecret RecoveryWindowInDays).
 */
const recoveryWindow = () =>
  intRange("recoveryWindowDays", 0, 30).refine((days) => days === 0 || days >= 7, {
    error: (i) =>
      `recoveryWindowDays must be 0 (delete at once) or 7 to 30, as Secrets Manager takes it, got ${String(i.input)}. Fix: use 0 or a number from 7 to 30`,
  });

/**
 * IAM quotas of the account, for accounts that raised them in Service Quotas. The defaults are
 * IAM's; the maxima are what IAM lets an account raise them to.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
const quotas = strict({
  roleTrustPolicyLength: intRange("roleTrustPolicyLength", 2048, 4096).default(2048),
  managedPoliciesPerRole: intRange("managedPoliciesPerRole", 10, 25).default(10),
  managedPoliciesPerUser: intRange("managedPoliciesPerUser", 10, 20).default(10),
});

/**
 * Waivers: each lets one invariant go, for a reason the plan then prints first, as a warning.
 * A waiver is a sentence, so nobody waives by accident.
 */
const waiverReason = () =>
  z.string({ error: "must say why, as a sentence" }).min(20, {
    error: "must say why, in at least 20 characters. Fix: write the reason the plan will print",
  });
const waivers = strict({
  /** Prod may be reached without a reviewed environment (a team of one, say). */
  prodWithoutReview: waiverReason().optional(),
});

/**
 * Names and ARNs this stage shares with a stack of the other stage, on purpose. Both stacks must
 * declare the same resource, each naming the other; both plans print it.
 */
const shared = z
  .array(
    strict({
      resource: z
        .string({ error: "the shared physical name or ARN is required" })
        .min(1, { error: "must not be empty" }),
      with: z
        .string({ error: "the other stack's name is required. Fix: e.g. with: prod" })
        .regex(NAME_PATTERN, { error: 'must be a stack name. Fix: e.g. "prod"' }),
    }),
    { error: "must be a list of { resource, with }" },
  )
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      const id = `${s.resource}\u0000${s.with}`;
      if (seen.has(id)) {
        ctx.addIssue({
          code: "custom",
          path: [i],
          input: s,
          message: `shares "${s.resource}" with ${s.with} twice. Fix: list it once`,
        });
      }
      seen.add(id);
    });
  });

/** `delivery:waivers`. */
export type Waivers = z.output<typeof waivers>;

/** `delivery:quotas`, with IAM's defaults applied. */
export type Quotas = z.output<typeof quotas>;

/** Context the schema needs from outside `delivery:*`. */
export interface SchemaContext {
  readonly stage: StageName;
}

/** A GitHub secret or variable name, as the names table checks it. */
const githubName = (what: string, example: string) =>
  z.string().regex(NAMESPACES.githubVariable.pattern, {
    error: `${what} must be a GitHub secret or variable name (${NAMESPACES.githubVariable.allowed}). Fix: e.g. ${example}`,
  });

/** Builds the schema of the whole `delivery:*` namespace for one stage. */
export function deliverySchema(ctx: SchemaContext) {
  const d = STAGE_DEFAULTS[ctx.stage];

  const github = strict({
    repository: z
      .string({
        error:
          'the app repository\'s name is required. Fix: set delivery:github.repository, e.g. "shop"',
      })
      .regex(GITHUB_REPOSITORY_NAME, {
        error:
          'must be the repository name only, without owner or wildcards (the owner is github:owner). Fix: e.g. "shop"',
      }),
    environment: z
      .string()
      .regex(ENVIRONMENT_NAME_PATTERN, {
        error: 'must be a GitHub environment name. Fix: e.g. "staging"',
      })
      .default(d.githubEnvironment),
    deployBranches: stringList("deployBranches").default([...d.deployBranches]),
    deployTags: stringList("deployTags").default([]),
    manage: bool().default(true),
    subjectFormat: z
      .enum(["names", "immutable"], {
        error: 'must be "names" (repo:owner/repo:...) or "immutable" (repo:owner@id/repo@id:...)',
      })
      .default("names"),
    ownerId: positiveId("ownerId", "gh api repos/OWNER/REPO --jq .owner.id"),
    repositoryId: positiveId("repositoryId", "gh api repos/OWNER/REPO --jq .id"),
    subjectClaims: strict({
      includeClaimKeys: unique(
        z.array(z.enum(CLAIM_KEYS, { error: `must be one of ${CLAIM_KEYS.join(", ")}` }), {
          error: "must be a list of claim keys",
        }),
        "includeClaimKeys",
      ).min(1, { error: 'needs at least "context". Fix: e.g. [repo, context]' }),
      manage: bool().default(false),
    }).optional(),
    protection: strict({
      reviewers: strict({
        // GitHub logins and team slugs ignore letter case.
        users: stringList("users", true).default([]),
        teams: stringList("teams", true).default([]),
      }).default({ users: [], teams: [] }),
      preventSelfReview: bool().default(d.preventSelfReview),
      waitTimerMinutes: intRange("waitTimerMinutes", 0, 43200).default(0),
      canAdminsBypass: bool().default(d.canAdminsBypass),
    }).default({
      reviewers: { users: [], teams: [] },
      preventSelfReview: d.preventSelfReview,
      waitTimerMinutes: 0,
      canAdminsBypass: d.canAdminsBypass,
    }),
    secrets: z
      .record(
        z.string(),
        z.discriminatedUnion(
          "source",
          [
            strict({
              source: z.literal("config"),
              key: configKey(),
            }),
            strict({
              source: z.literal("generated"),
              ...generatedValue(),
            }),
          ],
          {
            error:
              'source must be "config" or "generated". Fix: e.g. { source: config, key: databaseUrl }',
          },
        ),
        { error: "must be a map of SECRET_NAME: { source, ... }" },
      )
      .default({}),
    variables: z
      .record(
        z.string(),
        z.union([z.string(), z.number(), z.boolean()], {
          error: "must be a string, number or boolean",
        }),
        {
          error: "must be a map of NAME: value",
        },
      )
      .default({}),
    commitWorkflows: bool().default(false),
    deployEvents: unique(
      z
        .array(
          z.enum(["push", "release"], {
            error:
              'must be "push" (a push of a deploy branch or tag) or "release" (a published release whose tag is a deploy tag)',
          }),
          { error: "must be a list: [push], [release] or [push, release]" },
        )
        .min(1, { error: "needs at least one event, or nothing deploys. Fix: e.g. [push]" }),
      "deployEvents",
    ).default(["push"]),
    plan: z
      .enum(GITHUB_PLANS, {
        error: `must be the GitHub plan of the repository's owner: one of ${GITHUB_PLANS.join(", ")}`,
      })
      .default("team"),
    visibility: z
      .enum(REPOSITORY_VISIBILITIES, {
        error: `must be the app repository's visibility: one of ${REPOSITORY_VISIBILITIES.join(", ")}`,
      })
      .default("private"),
    rulesets: strict({
      enabled: bool().default(d.deployRulesets),
      bypass: strict({
        roles: unique(
          z.array(z.enum(BYPASS_ROLES, { error: `must be one of ${BYPASS_ROLES.join(", ")}` }), {
            error: "must be a list of repository roles",
          }),
          "roles",
        ).default(["admin"]),
        teams: stringList("teams", true).default([]),
        apps: unique(
          z.array(
            z.number({ error: "must be a GitHub App's numeric id" }).int().positive({
              error: "must be a GitHub App's numeric id. Fix: gh api /apps/<app-slug> --jq .id",
            }),
            { error: "must be a list of GitHub App ids" },
          ),
          "apps",
        ).default([]),
      }).default({ roles: ["admin"], teams: [], apps: [] }),
      requiredApprovals: intRange("requiredApprovals", 1, 10).default(1),
    }).default({
      enabled: d.deployRulesets,
      bypass: { roles: ["admin"], teams: [], apps: [] },
      requiredApprovals: 1,
    }),
    variableLayout: z
      .enum(["auto", "flat", "compact"], {
        error:
          'must be "auto" (flat while it fits GitHub\'s 100 variables per environment), "flat" (ECR_REPOSITORY_<SVC>, ...) or "compact" (one DELIVERY_SERVICES JSON variable)',
      })
      .default("auto"),
  });

  const oidc = strict({
    mode: z.enum(["create", "existing"], {
      error:
        'must be "create" (this stack creates the account\'s GitHub OIDC provider) or "existing" (another stack or a person did). Fix: exactly one stack per AWS account says "create"',
    }),
    arn: arn("arn", "githubOidcProvider").optional(),
  });

  /** How any GitHub Actions role of the stage is trusted and bounded. */
  const roleSettings = {
    allowSubjectPatterns: bool().default(false),
    maxSessionDuration: intRange("maxSessionDuration (seconds)", 3600, 43200).default(
      COMMON_DEFAULTS.maxSessionDurationSeconds,
    ),
    permissionsBoundary: arn("permissionsBoundary", "policy").optional(),
  };

  /** Grants either kind of role may add: each a named kind with exact resources. */
  const extraGrants = {
    readSecrets: stringList("readSecrets").default([]),
    managedPolicyArns: unique(
      z.array(arn("managedPolicyArns entries", "policy"), {
        error: "must be a list of IAM policy ARNs",
      }),
      "managedPolicyArns",
    ).default([]),
    cdkBootstrap: strict({
      qualifier: z
        .string()
        .regex(/^[a-z0-9]{1,10}$/, {
          error:
            'must be the bootstrap qualifier: up to 10 lowercase letters and digits (cdk bootstrap --qualifier). Fix: e.g. "hnb659fds", the default',
        })
        .default("hnb659fds"),
    }).optional(),
    lambdaFunctions: unique(
      z.array(
        z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
          error:
            'must be a Lambda function name (1-64 letters, digits, "-", "_"). Fix: e.g. "shop-resize"',
        }),
        { error: "must be a list of Lambda function names" },
      ),
      "lambdaFunctions",
    ).default([]),
  };

  const deployRole = strict({
    subjects: stringList("subjects").default([]),
    ...roleSettings,
    /** What the deploy role may do besides deploying the stage's services. */
    grants: strict(extraGrants).default({
      readSecrets: [],
      managedPolicyArns: [],
      lambdaFunctions: [],
    }),
  });

  const ecr = strict({
    imageTagMutability: z
      .enum(["MUTABLE", "IMMUTABLE"], { error: 'must be "MUTABLE" or "IMMUTABLE"' })
      .default(d.ecr.imageTagMutability),
    scanOnPush: bool().default(true),
    untaggedExpiryDays: intRange("untaggedExpiryDays", 1, 365).default(d.ecr.untaggedExpiryDays),
    keepLastImages: intRange("keepLastImages", 1, 1000).default(d.ecr.keepLastImages),
    kmsKeyArn: arn("kmsKeyArn", "kmsKey").optional(),
    forceDelete: bool().default(false),
  });

  const secretRef = z.union(
    [
      z.string(),
      strict({
        secret: z.string({ error: "the secret's name is required" }),
        jsonKey: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be a JSON key name. Fix: e.g. "password"' })
          .optional(),
      }),
    ],
    {
      error:
        'must be a secret name or { secret: <name>, jsonKey: <key> }. Fix: e.g. JWT_SECRET: "jwt-secret"',
    },
  );

  /** A container's command or entry point: the words ECS runs, without a shell. */
  const commandWords = (what: string) =>
    z
      .array(z.string().min(1, { error: `${what} words must not be empty` }), {
        error: `must be a list of words, e.g. ["node", "worker.js"]`,
      })
      .min(1, { error: `needs at least one word. Fix: remove ${what} to use the image's own` })
      .optional();

  const service = strict({
    kind: z
      .enum(["web", "worker"], {
        error:
          'must be "web" (listens on port, checked over HTTP at healthCheckPath) or "worker" (no port, no load balancer)',
      })
      .default("web"),
    port: intRange("port", 1, 65535).optional(),
    healthCheckPath: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.~%-]*$/, {
        error:
          'must be a URL path starting with "/" (no spaces or quotes). Fix: e.g. "/api/health"',
      })
      .optional(),
    healthCheck: strict({
      command: z
        .string({ error: "must be a shell command that exits 0 while the worker is healthy" })
        .min(1, { error: "must not be empty" })
        .max(1024, { error: "must be at most 1024 characters" }),
    }).optional(),
    command: commandWords("command"),
    entryPoint: commandWords("entryPoint"),
    deployOn: strict({
      tags: stringList("tags").optional(),
      branches: stringList("branches").optional(),
    }).optional(),
    autoscaling: strict({
      minTasks: intRange("minTasks", 0, 100),
      maxTasks: intRange("maxTasks", 1, 100),
      cpuTarget: intRange("cpuTarget (percent)", 1, 100).optional(),
      memoryTarget: intRange("memoryTarget (percent)", 1, 100).optional(),
    }).optional(),
    cpu: z
      .number({ error: "must be a number of CPU units. Fix: e.g. 256" })
      .default(COMMON_DEFAULTS.cpu),
    memory: z
      .number({ error: "must be a number of MiB. Fix: e.g. 512" })
      .default(COMMON_DEFAULTS.memory),
    architecture: z
      .enum(["ARM64", "X86_64"], {
        error: 'must be "ARM64" or "X86_64" (match the image you build)',
      })
      .default(COMMON_DEFAULTS.architecture),
    environment: z
      .record(
        z.string().regex(ENV_NAME_PATTERN, {
          error: "environment variable names are letters, digits and _. Fix: e.g. NODE_ENV",
        }),
        z.union([z.string(), z.number(), z.boolean()], {
          error: "must be a string, number or boolean",
        }),
        { error: "must be a map of NAME: value" },
      )
      .default({}),
    secrets: z
      .record(
        z.string().regex(ENV_NAME_PATTERN, {
          error: "secret variable names are letters, digits and _. Fix: e.g. JWT_SECRET",
        }),
        secretRef,
        { error: "must be a map of VARIABLE_NAME: secret-name" },
      )
      .default({}),
    repositoryName: ecrRepositoryName("shop-backend").optional(),
    imageTag: z
      .string()
      .regex(IMAGE_TAG, {
        error: 'must be a Docker image tag. Fix: e.g. "backend-v1.4.2"',
      })
      .optional(),
    readonlyRootFilesystem: bool().default(true),
    healthCheckCommand: z
      .enum(["curl", "wget"], { error: 'must be "curl" or "wget" (whichever the image has)' })
      .default("curl"),
    desiredCount: intRange("desiredCount", 0, 100).default(d.desiredCount),
    healthCheckGracePeriodSeconds: intRange("healthCheckGracePeriodSeconds", 0, 7200).default(
      COMMON_DEFAULTS.healthCheckGracePeriodSeconds,
    ),
    targetGroupArn: arn("targetGroupArn", "targetGroup").optional(),
    existingServiceName: z
      .string()
      .regex(ECS_NAME, { error: "must be an ECS service name" })
      .optional(),
    family: z
      .string()
      .regex(NAMESPACES.taskFamily.pattern, {
        error: `must be a task definition family (${NAMESPACES.taskFamily.allowed}). Fix: e.g. "shop-backend"`,
      })
      .optional(),
    containerName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,255}$/, {
        error: 'must be a container name (1-255 letters, digits, "_", "-"). Fix: e.g. "app"',
      })
      .optional(),
    executionRoleArn: arn("executionRoleArn", "role").optional(),
    taskRoleArn: arn("taskRoleArn", "role").optional(),
    existingRepository: ecrRepositoryName("shop-backend").optional(),
    taskRolePolicyArns: unique(
      z.array(arn("taskRolePolicyArns entries", "policy"), {
        error: "must be a list of IAM policy ARNs",
      }),
      "taskRolePolicyArns",
    ).default([]),
    build: strict({
      context: z
        .string()
        .regex(BUILD_PATH, {
          error: 'must be a path in the app repository. Fix: e.g. "./backend"',
        })
        .default("."),
      dockerfile: z
        .string()
        .regex(BUILD_PATH, {
          error: 'must be a path in the app repository. Fix: e.g. "./backend/Dockerfile"',
        })
        .optional(),
    }).default({ context: "." }),
  });

  /** Keys every secret source has. */
  const secretCommon = {
    name: z
      .string()
      .min(1, { error: "must not be empty. Fix: remove it to use <app>/<stage>/<secret>" })
      .optional(),
    description: z
      .string()
      .max(2048, { error: "is longer than Secrets Manager allows (2048). Fix: shorten it" })
      .optional(),
    recoveryWindowDays: recoveryWindow().optional(),
    /** The environment variable the secret's name is written to, for the team's workflows. */
    githubVariable: githubName("githubVariable", "AWS_SECRET_NAME").optional(),
  };
  const secret = z.discriminatedUnion(
    "source",
    [
      strict({
        source: z.literal("generated"),
        ...generatedValue(),
        upper: bool().default(true),
        lower: bool().default(true),
        numeric: bool().default(true),
        ...secretCommon,
      }),
      strict({
        source: z.literal("config"),
        key: configKey(),
        ...secretCommon,
      }),
      strict({
        source: z.literal("external"),
        placeholder: bool().default(true),
        ...secretCommon,
      }),
    ],
    {
      error:
        'source must be "generated", "config" or "external". Fix: e.g. { source: generated, length: 64 }',
    },
  );

  const secretSettings = strict({
    recoveryWindowDays: recoveryWindow().default(d.secretRecoveryWindowDays),
    kmsKeyArn: arn("kmsKeyArn", "kmsKey").optional(),
  });

  const ecs = strict({
    imageOwner: z
      .enum(["pipeline", "stack"], {
        error:
          'must be "pipeline" (CI registers task definition revisions) or "stack" (imageTag in config)',
      })
      .default(COMMON_DEFAULTS.imageOwner),
    bootstrapImageTag: z
      .string()
      .regex(IMAGE_TAG, {
        error: 'must be a Docker image tag. Fix: e.g. "bootstrap"',
      })
      .default(COMMON_DEFAULTS.bootstrapImageTag),
    logRetentionDays: z
      .union(
        LOG_RETENTION_DAYS.map((n) => z.literal(n)),
        {
          error: `must be a CloudWatch retention value. Fix: one of ${LOG_RETENTION_DAYS.join(", ")}`,
        },
      )
      .default(d.logRetentionDays as 30),
    cluster: z
      .union(
        [
          strict({
            create: z.literal(true, {
              error:
                "must be true to create the cluster. Fix: to use a cluster made elsewhere, write { existingName: <cluster name> } instead",
            }),
            name: z
              .string()
              .regex(ECS_NAME, {
                error: 'must be an ECS cluster name. Fix: e.g. "shop-staging"',
              })
              .optional(),
            containerInsights: z
              .enum(["enabled", "enhanced", "disabled"], {
                error: 'must be "enabled", "enhanced" or "disabled"',
              })
              .default(d.containerInsights),
          }),
          strict({
            existingName: z.string().regex(ECS_NAME, { error: "must be an ECS cluster name" }),
          }),
        ],
        {
          error:
            "must be { create: true, name?, containerInsights? } or { existingName: <cluster name> }. Fix: check each key against the README's config reference",
        },
      )
      .optional(),
    network: strict({
      // ECS AwsVpcConfiguration: at most 16 subnets and 5 security groups.
      subnets: unique(
        z.array(
          z.string().regex(/^subnet-[0-9a-f]{8,17}$/, {
            error: 'must be a subnet id. Fix: e.g. "subnet-0123456789abcdef0"',
          }),
        ),
        "subnets",
      )
        .min(1, {
          error: "needs at least one subnet. Fix: list the private subnets services run in",
        })
        .max(16, { error: "ECS takes at most 16 subnets per service. Fix: list at most 16" }),
      securityGroups: unique(
        z.array(
          z.string().regex(/^sg-[0-9a-f]{8,17}$/, {
            error: 'must be a security group id. Fix: e.g. "sg-0123456789abcdef0"',
          }),
        ),
        "securityGroups",
      )
        .min(1, { error: "needs at least one security group. Fix: list the groups the tasks use" })
        .max(5, { error: "ECS takes at most 5 security groups per service. Fix: list at most 5" }),
      assignPublicIp: bool().default(false),
    }).optional(),
  });

  const role = strict({
    repository: z
      .string()
      .regex(GITHUB_REPOSITORY_NAME, {
        error:
          'must be a repository name of the same owner, without owner or wildcards. Fix: e.g. "shop-infra"',
      })
      .optional(),
    repositoryId: positiveId("repositoryId", "gh api repos/OWNER/REPO --jq .id"),
    subjectFormat: z
      .enum(["names", "immutable"], {
        error: 'must be "names" or "immutable", as GitHub writes sub for this role\'s repository',
      })
      .optional(),
    githubOutput: strict({
      name: githubName("githubOutput.name", "AWS_ROLE_TO_ASSUME"),
      kind: z
        .enum(["secret", "variable"], { error: 'must be "secret" or "variable"' })
        .default("secret"),
      scope: z
        .enum(["environment", "repository"], {
          error:
            'must be "environment" (the stage\'s environment only) or "repository" (every workflow of the repository)',
        })
        .default("environment"),
    }).optional(),
    subjects: stringList("subjects").min(1, {
      error:
        'needs at least one subject; a role without one would trust nothing. Fix: e.g. ["pull_request"]',
    }),
    ...roleSettings,
    grants: strict({
      ...extraGrants,
      pushRepositories: stringList("pushRepositories").default([]),
      previewReadOnly: bool().default(false),
    }),
  });

  const adopt = strict({
    oidcProvider: arn("oidcProvider", "githubOidcProvider").optional(),
    cluster: z
      .string()
      .regex(ECS_NAME, {
        error: 'must be the existing cluster\'s name. Fix: e.g. "shop"',
      })
      .optional(),
    repositories: z
      .record(z.string(), ecrRepositoryName("app-backend"), {
        error: "must be a map of service: existing repository name",
      })
      .default({}),
    logGroups: z
      .record(
        z.string(),
        z
          .string()
          .max(NAMESPACES.logGroup.maxLength, {
            error: "a log group name has at most 512 characters",
          })
          .regex(NAMESPACES.logGroup.pattern, {
            error: `must be a log group name (${NAMESPACES.logGroup.allowed}). Fix: copy it from \`aws logs describe-log-groups\``,
          }),
        {
          error: "must be a map of service: existing log group name",
        },
      )
      .default({}),
    secrets: z
      .record(z.string(), arn("the existing secret", "secret"), {
        error: "must be a map of secret: existing secret ARN",
      })
      .default({}),
  });

  const fallback = strict({
    enabled: bool().default(false),
    alarmEmails: unique(
      z.array(
        z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, {
          error: 'must be an e-mail address. Fix: e.g. "oncall@example.com"',
        }),
        { error: "must be a list of e-mail addresses" },
      ),
      "alarmEmails",
      true,
    ).default([]),
    allowInProd: bool().default(false),
    trailArn: arn("trailArn", "trail").optional(),
  });

  /** The top-level sections of `delivery:*`, each parsed on its own so one bad section never hides another's problems. */
  const sections = {
    app: name("app", "shop", 20),
    stage: z.enum(["staging", "prod"]).optional(),
    tags: tags().default({}),
    github,
    oidc,
    deployRole: deployRole.default(deployRole.parse({})),
    ecr: ecr.default(ecr.parse({})),
    services: z
      .record(z.string(), service, { error: "must be a map of service name to settings" })
      .default({}),
    secrets: z
      .record(z.string(), secret, { error: "must be a map of secret name to its source" })
      .default({}),
    secretSettings: secretSettings.default(secretSettings.parse({})),
    ecs: ecs.default(ecs.parse({})),
    roles: z
      .record(z.string(), role, { error: "must be a map of role name to its subjects and grants" })
      .default({}),
    adopt: adopt.default(adopt.parse({})),
    fallback: fallback.default(fallback.parse({})),
    quotas: quotas.default(quotas.parse({})),
    waivers: waivers.default({}),
    shared: shared.default([]),
  };
  return {
    /** The whole namespace, for the type. */
    object: z.object(sections),
    sections,
    /** Schemas of one entry of the map sections, which are parsed entry by entry. */
    entries: { services: service, secrets: secret, roles: role },
  };
}

/** The validated `delivery:*` config with defaults applied. */
export type DeliveryConfig = z.output<ReturnType<typeof deliverySchema>["object"]>;

/** A top-level section of `delivery:*`. */
export type Section = keyof DeliveryConfig;

/**
 * The top-level section names, written out for code that needs them before a schema is built
 * (config keys holding encrypted values may not reuse them). Checked against the schema: a
 * section added to one and not the other does not compile.
 */
export const SECTIONS = [
  "app",
  "stage",
  "tags",
  "github",
  "oidc",
  "deployRole",
  "ecr",
  "services",
  "secrets",
  "secretSettings",
  "ecs",
  "roles",
  "adopt",
  "fallback",
  "quotas",
  "waivers",
  "shared",
] as const satisfies readonly Section[];
type Missing = Exclude<Section, (typeof SECTIONS)[number]>;
/** Fails to compile, naming the section, when a schema section is missing from SECTIONS. */
export const SECTIONS_COMPLETE: [Missing] extends [never] ? true : Missing = true;

/** The schema of each stage, built once: building a zod schema costs more than using it. */
const schemas = new Map<StageName, ReturnType<typeof deliverySchema>>();

/** The config schema of `stage`, shared by the stack's own config and its siblings'. */
export function stageSchema(stage: StageName): ReturnType<typeof deliverySchema> {
  let schema = schemas.get(stage);
  if (!schema) schemas.set(stage, (schema = deliverySchema({ stage })));
  return schema;
}
