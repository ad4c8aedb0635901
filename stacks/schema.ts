/**
 * The shape of a stack's `delivery:*` config, as zod schemas. Types, ranges, per-stage defaults
 * and what each key means (its `.describe()`, which the editor schema and `docs/config.md` are
 * generated from) live here; checks that relate two keys (a service's secret must be declared,
 * cpu and memory must be a Fargate pair) live in `rules/`, so every problem is reported at once.
 */
import { z } from "zod";
import { ARN_KINDS } from "../lib/arns";
import {
  BYPASS_ROLES,
  GITHUB_PLANS,
  REPOSITORY_VISIBILITIES,
  gatedFeaturesText,
} from "../lib/githubPlans";
import { ADMIN_CLASS_POLICIES } from "../lib/adminPolicies";
import { CREDENTIAL_VALUE_KINDS, SECRET_LIKE_NAME_RULE, credentialKind } from "../lib/credentials";
import { fargateSizesText } from "../lib/fargate";
import { PROGRAM_TAG_KEYS, StageName } from "../lib/naming";
import { CLAIM_KEYS, ENVIRONMENT_NAME_PATTERN } from "../lib/subjects";
import {
  GITHUB_VARIABLES_PER_ENVIRONMENT,
  ROLE_ARN_SECRET,
  SERVICES_VARIABLE,
  reservedNamesText,
  serviceVariables,
} from "../lib/variables";
import { NAMESPACES } from "./names";
import { COMMON_DEFAULTS, STAGE_DEFAULTS } from "./defaults";

/**
 * Names used inside physical resource names: lowercase letters, digits and single `-` between
 * them (ECR refuses runs of separators in the repository names built from them).
 */
export const NAME_PATTERN = /^[a-z](?:-?[a-z0-9])*$/;
/** Container environment variable names. */
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A strict object: unknown keys are reported with the list of known ones (`known`, where some
 * keys of the shape exist only to be refused with a message of their own).
 */
function strict<T extends z.ZodRawShape>(shape: T, known: readonly string[] = Object.keys(shape)) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key. Fix: remove it or correct the spelling; known keys here: ${known.join(", ")}`
        : undefined,
  });
}

/**
 * Keys refused where they would do nothing, each with its own message: an absent key passes, any
 * value is reported at the key with `message(key)`.
 */
function refused<K extends string>(
  keys: readonly K[],
  message: (key: K) => string,
): { [P in K]: z.ZodOptional<z.ZodNever> } {
  return Object.fromEntries(keys.map((k) => [k, z.never({ error: message(k) }).optional()])) as {
    [P in K]: z.ZodOptional<z.ZodNever>;
  };
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
/** What `services.<key>.kind` may be. */
const SERVICE_KIND_ERROR =
  'must be "web" (listens on port, checked over HTTP at healthCheckPath), "worker" (no port, no load balancer) or "image" (only its repository and the workflow that pushes to it; something else runs it)';

/** Why a key that runs the image on ECS is refused on `kind: image`. */
function imageRefusal(key: string): string {
  return `an image service (kind: image) is its repository and the workflow that pushes to it, with no task definition, roles, log group or ECS service, so ${key} would do nothing. Fix: remove ${key}, or set kind: web or worker to run the image on ECS in this stage`;
}

/** The keys of a shape, typed. */
const keysOf = <T extends object>(shape: T) => Object.keys(shape) as (keyof T & string)[];

const bool = () => z.boolean({ error: "must be true or false" });

/** A generated value's settings, for GitHub secrets and runtime secrets alike. */
const generatedValue = () => ({
  length: intRange("length", 16, 4096)
    .default(COMMON_DEFAULTS.generatedSecretLength)
    .describe("Characters of the random value."),
  special: bool().default(false).describe("Include special characters (`!@#$%&*()-_=+[]{}<>:?`)."),
  rotation: intRange("rotation", 0, 1_000_000)
    .default(0)
    .describe(
      "Change it (raise it by one, say) to generate a new value at the next `pulumi up`; while it stays the same, so does the value.",
    ),
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
    })
    .describe(
      "The config key, without `delivery:`, that holds the value: set it with `pulumi config set --secret delivery:<key> <value>`. Refused when it is not set, is in plain text, is a section name (`github`, `secrets`, ...) or is larger than the secret takes (Secrets Manager 65,536 bytes, a GitHub secret 48 KB).",
    );

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
    .describe(
      `Extra tags on every AWS resource (the AWS provider's default tags), under IAM's rules, the strictest of the services tagged: keys of 1–128 characters, at most ${TAGS_PER_RESOURCE - PROGRAM_TAG_KEYS.length} tags (AWS allows ${TAGS_PER_RESOURCE} per resource and the program sets ${PROGRAM_TAG_KEYS.map((k) => `\`${k}\``).join(", ")}, which are refused here in any letter case), no \`aws:\` prefix, no two keys differing only in letter case. Keys and values that look like a credential (${CREDENTIAL_VALUE_KINDS}) are refused: anyone who may list the resources reads their tags.`,
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
const recoveryWindow = (lead: string) =>
  intRange("recoveryWindowDays", 0, 30)
    .refine((days) => days === 0 || days >= 7, {
      error: (i) =>
        `recoveryWindowDays must be 0 (delete at once) or 7 to 30, as Secrets Manager takes it, got ${String(i.input)}. Fix: use 0 or a number from 7 to 30`,
    })
    .describe(
      `${lead} 0 deletes at once, otherwise Secrets Manager takes 7 to 30; prod refuses 0 (its secrets need at least 7).`,
    );

/**
 * IAM quotas of the account, for accounts that raised them in Service Quotas. The defaults are
 * IAM's; the maxima are what IAM lets an account raise them to.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
const quotas = strict({
  roleTrustPolicyLength: intRange("roleTrustPolicyLength", 2048, 4096)
    .default(2048)
    .describe(
      'IAM\'s "Role trust policy length", in characters (IAM counts them without white space): a role whose subjects render a longer trust policy is refused.',
    ),
  managedPoliciesPerRole: intRange("managedPoliciesPerRole", 10, 25)
    .default(10)
    .describe(
      "IAM's \"Managed policies per role\": grants stay inline while they fit, then move into as few customer-managed policies as fit next to the attached ones; a role, or a task role's `taskRolePolicyArns`, that needs more is refused.",
    ),
  managedPoliciesPerUser: intRange("managedPoliciesPerUser", 10, 20)
    .default(10)
    .describe(
      "IAM's \"Managed policies per user\", for the break-glass user, whose grants are all managed policies (a user's inline policies may total only 2,048 characters).",
    ),
}).describe(
  "IAM quotas of the account, for an account that raised them in Service Quotas (IAM): the defaults are IAM's, the maxima what IAM lets an account raise them to. The program lays every principal's grants out within them and refuses only what cannot fit even so, naming the quota (limits: `docs/operating.md`).",
);

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
  prodWithoutReview: waiverReason()
    .optional()
    .describe(
      "Why prod may be reached without review (a team of one, say): lets go of every finding of the prod review invariant (a write or secret-reading role reachable other than through the managed environment, no required reviewer, self-review allowed, admins bypassing, every ref deploying). Roles that any branch, tag or pull request can assume stay read-only: that is not waivable.",
    ),
}).describe(
  "Invariants let go on purpose, each with its reason as a sentence, so nobody waives by accident; the plan prints every waived finding first, as a warning, with the reason. The invariants: `docs/security.md`.",
);

/**
 * Names and ARNs this stage shares with a stack of the other stage, on purpose. Both stacks must
 * declare the same resource, each naming the other; both plans print it.
 */
const shared = z
  .array(
    strict({
      resource: z
        .string({ error: "the shared physical name or ARN is required" })
        .min(1, { error: "must not be empty" })
        .describe(
          "The exact physical name or ARN, as this stage has it (e.g. the repository name an `existingRepository` gives); refused when it is no name or ARN of this stage.",
        ),
      with: z
        .string({ error: "the other stack's name is required. Fix: e.g. with: prod" })
        .regex(NAME_PATTERN, { error: 'must be a stack name. Fix: e.g. "prod"' })
        .describe(
          "The other stage's stack (`prod`, say); when its stack file is beside this one, it must declare the same resource shared with this stack.",
        ),
    }),
    { error: "must be a list of { resource, with }" },
  )
  .describe(
    "Names and ARNs of this stage that a stack of the other stage uses too, on purpose (one ECR repository for both stages, say). Both stacks declare it, each naming the other, and both plans print it first. Any other name or ARN of one stage in the other's config (its stack file's names and ARNs, or anything named after its standard stack, `<app>-prod-…`) is refused.",
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
      })
      .describe(
        "The app repository, `github:owner/<repository>`: the deploy role (and every extra role without its own `repository`) trusts its workflows, and the stack writes its environment there.",
      ),
    environment: z
      .string()
      .regex(ENVIRONMENT_NAME_PATTERN, {
        error: 'must be a GitHub environment name. Fix: e.g. "staging"',
      })
      .default(d.githubEnvironment)
      .describe(
        "The GitHub environment this stage deploys through: the deploy role trusts `environment:<name>`, and the stack manages its protection. The other stage's environment is refused, in any letter case (GitHub's environment names ignore it).",
      ),
    deployBranches: stringList("deployBranches")
      .default([...d.deployBranches])
      .describe(
        "Branch names or patterns (`release/*`) whose jobs may use the environment: one deployment branch policy each. Refs (`refs/...`, anything with `:`) are refused; with `deployTags`, at least one branch or tag is required.",
      ),
    deployTags: stringList("deployTags")
      .default([])
      .describe(
        "Tag names or patterns (`backend-v*`) whose jobs may use the environment: one deployment tag policy each; a service deploys on the tags named after it (`services.<name>.deployOn`). Refs (`refs/...`, anything with `:`) are refused.",
      ),
    manage: bool()
      .default(true)
      .describe(
        "Manage the environment on GitHub: its protection, deployment policies, secrets and variables, and where configured the subject claim template, rulesets and workflow files. With `false` the stack writes nothing on GitHub (set the values of the stack output `githubVariables` by hand); keys that only write there are refused, and prod's roles then need `delivery:waivers.prodWithoutReview`.",
      ),
    subjectFormat: z
      .enum(["names", "immutable"], {
        error: 'must be "names" (repo:owner/repo:...) or "immutable" (repo:owner@id/repo@id:...)',
      })
      .default("names")
      .describe(
        "How GitHub writes `sub` for the repository, and so how every trust policy is rendered: `names`, `repo:<owner>/<repo>:…`; `immutable`, `repo:<owner>@<id>/<repo>@<id>:…`, so a renamed or re-registered name never matches (GitHub's default for repositories created or renamed since 2026-07-15). It must match what GitHub issues, or no job can assume the roles (`docs/security.md`, subject claim formats).",
      ),
    ownerId: positiveId("ownerId", "gh api repos/OWNER/REPO --jq .owner.id").describe(
      "The owner's numeric id (`gh api repos/OWNER/REPO --jq .owner.id`); required with `subjectFormat: immutable`, with the `repository_id` or `repository_owner_id` claim keys, and by an extra role on another repository under `immutable`.",
    ),
    repositoryId: positiveId("repositoryId", "gh api repos/OWNER/REPO --jq .id").describe(
      "The app repository's numeric id (`gh api repos/OWNER/REPO --jq .id`); required with `subjectFormat: immutable` and with the `repository_id` or `repository_owner_id` claim keys.",
    ),
    subjectClaims: strict({
      includeClaimKeys: unique(
        z.array(z.enum(CLAIM_KEYS, { error: `must be one of ${CLAIM_KEYS.join(", ")}` }), {
          error: "must be a list of claim keys",
        }),
        "includeClaimKeys",
      )
        .min(1, { error: 'needs at least "context". Fix: e.g. [repo, context]' })
        .describe(
          "The template's claim keys, in order: every trust policy of the app repository is rendered as their `key:value` pairs. `context` must come once, last (trust policies tell environments apart by it), and `repo`, `repository` or `repository_id` must name the repository, or any repository's token with the same context would match.",
        ),
      manage: bool()
        .default(false)
        .describe(
          "This stack writes the template on the repository (`use_default: false`). The template is the repository's, not the stack's: exactly one stack sets this, and every stack of the repository lists the same keys. Refused while `github.manage` is false.",
        ),
    })
      .optional()
      .describe(
        "The repository's OIDC subject customization template (`include_claim_keys`), when it has one; without it, GitHub's default layout `repo:<owner>/<repo>:<context>`. Extra roles on another repository keep the default layout.",
      ),
    protection: strict({
      reviewers: strict({
        // GitHub logins and team slugs ignore letter case.
        users: stringList("users", true)
          .default([])
          .describe(
            "GitHub logins of required reviewers (resolved to ids at preview), each once in any letter case; users and teams together at most 6.",
          ),
        teams: stringList("teams", true)
          .default([])
          .describe(
            "Slugs of the organization's teams whose members may approve (resolved to ids), each once in any letter case.",
          ),
      })
        .default({ users: [], teams: [] })
        .describe(
          "Who approves a deployment; one approval lets it proceed. Refused where the plan offers no required reviewers on the repository's visibility (`plan`).",
        ),
      preventSelfReview: bool()
        .default(d.preventSelfReview)
        .describe(
          "Whoever triggered a deployment may not approve it; prod requires it, unless waived.",
        ),
      waitTimerMinutes: intRange("waitTimerMinutes", 0, 43200)
        .default(0)
        .describe(
          "Minutes a deployment waits before it proceeds; refused (above 0) where the plan offers no wait timers.",
        ),
      canAdminsBypass: bool()
        .default(d.canAdminsBypass)
        .describe(
          "Repository admins may deploy without the protection rules; prod refuses it, unless waived.",
        ),
    })
      .describe(
        "The environment's protection rules. In prod, every role that may change something or read a secret must be reachable only through this environment, managed here, with at least one required reviewer, self-review prevented and no admin bypass; `delivery:waivers.prodWithoutReview` lets that go.",
      )
      .default({
        reviewers: { users: [], teams: [] },
        preventSelfReview: d.preventSelfReview,
        waitTimerMinutes: 0,
        canAdminsBypass: d.canAdminsBypass,
      }),
    secrets: z
      .record(
        z.string().meta({ title: "NAME" }),
        z
          .discriminatedUnion(
            "source",
            [
              strict({
                source: z.literal("config"),
                key: configKey(),
              }).describe("The value of an encrypted config key."),
              strict({
                source: z.literal("generated"),
                ...generatedValue(),
              }).describe(
                "A random value the program generates, the same until `rotation` changes.",
              ),
            ],
            {
              error:
                'source must be "config" or "generated". Fix: e.g. { source: config, key: databaseUrl }',
            },
          )
          .describe("Where the value comes from."),
        { error: "must be a map of SECRET_NAME: { source, ... }" },
      )
      .default({})
      .describe(
        `Environment secrets for the app's own workflow steps (\`DATABASE_URL\`), written through the provider, which encrypts them for the repository. Names as GitHub takes them (letters, digits, \`_\`; not starting with a digit or \`GITHUB_\`), each once in any letter case; the names the program writes itself are refused (${reservedNamesText()}).`,
      ),
    variables: z
      .record(
        z.string().meta({ title: "NAME" }),
        z.union([z.string(), z.number(), z.boolean()], {
          error: "must be a string, number or boolean",
        }),
        {
          error: "must be a map of NAME: value",
        },
      )
      .default({})
      .describe(
        `Extra environment variables for the app's workflows (\`APP_URL\`), each at most 48 KB; names as for \`secrets\`, and not also a secret. Variables are readable by anyone with repository access, so names that look like a secret (${SECRET_LIKE_NAME_RULE}) and values that look like a credential are refused: move them to \`secrets\`.`,
      ),
    commitWorkflows: bool()
      .default(false)
      .describe(
        "Commit the generated deploy workflows and the credential check into the app repository (otherwise copy them from `npm run templates`; `docs/pipelines.md`). Refused while `github.manage` is false, and in a stage without services.",
      ),
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
    )
      .default(["push"])
      .describe(
        "What starts a deploy workflow: `push`, a push of a deploy branch or tag; `release`, a published release (never a pre-release) whose tag is a deploy tag. A release event has no tag filter, so the job checks the tag: `release` needs `deployTags`, each a literal or `<prefix>*`, and is refused in a stage without services.",
      ),
    plan: z
      .enum(GITHUB_PLANS, {
        error: `must be the GitHub plan of the repository's owner: one of ${GITHUB_PLANS.join(", ")}`,
      })
      .default("team")
      .describe(
        `The GitHub plan of the repository's owner, which decides what the stack may write on a private or internal repository (a public one has everything): ${gatedFeaturesText()}. GitHub would refuse the rest midway through \`pulumi up\`, so the config refuses it first.`,
      ),
    visibility: z
      .enum(REPOSITORY_VISIBILITIES, {
        error: `must be the app repository's visibility: one of ${REPOSITORY_VISIBILITIES.join(", ")}`,
      })
      .default("private")
      .describe(
        "The app repository's visibility, with `plan` what GitHub offers it; `internal` exists only on `enterprise`.",
      ),
    rulesets: strict({
      enabled: bool()
        .default(d.deployRulesets)
        .describe(
          "Create the rulesets (while `manage` is on); refused where the plan offers no rulesets on the repository's visibility.",
        ),
      bypass: strict({
        roles: unique(
          z.array(z.enum(BYPASS_ROLES, { error: `must be one of ${BYPASS_ROLES.join(", ")}` }), {
            error: "must be a list of repository roles",
          }),
          "roles",
        )
          .default(["admin"])
          .describe("Repository roles the rulesets let through."),
        teams: stringList("teams", true)
          .default([])
          .describe(
            "Slugs of teams the rulesets let through (resolved to ids), each once in any letter case.",
          ),
        apps: unique(
          z.array(
            z.number({ error: "must be a GitHub App's numeric id" }).int().positive({
              error: "must be a GitHub App's numeric id. Fix: gh api /apps/<app-slug> --jq .id",
            }),
            { error: "must be a list of GitHub App ids" },
          ),
          "apps",
        )
          .default([])
          .describe(
            "Ids of GitHub Apps the rulesets let through (`gh api /apps/<app-slug> --jq .id`).",
          ),
      })
        .default({ roles: ["admin"], teams: [], apps: [] })
        .describe(
          "Who the rulesets let through. With `commitWorkflows` and deploy branches it must name whoever the program's token acts as: its commits go straight to the default branch.",
        ),
      requiredApprovals: intRange("requiredApprovals", 1, 10)
        .default(1)
        .describe("Approvals a pull request into a deploy branch needs."),
    })
      .describe(
        "Repository rulesets on the refs that may deploy: only the bypass list may create, move or delete a deploy tag, and a deploy branch changes only through a reviewed pull request. Reviewers approve a deployment, not the code a tag points at.",
      )
      .default({
        enabled: d.deployRulesets,
        bypass: { roles: ["admin"], teams: [], apps: [] },
        requiredApprovals: 1,
      }),
    variableLayout: z
      .enum(["auto", "flat", "compact"], {
        error:
          'must be "auto" (flat while it fits GitHub\'s 100 variables per environment), "flat" (ECR_REPOSITORY_<SVC>, ...) or "compact" (one DELIVERY_SERVICES JSON variable)',
      })
      .default("auto")
      .describe(
        `How the services' names are written to the environment, and read by the generated workflows: \`flat\`, one variable each (${Object.values(
          serviceVariables("<svc>"),
        )
          .map((n) => `\`${n}\``)
          .join(
            ", ",
          )}); \`compact\`, one JSON variable \`${SERVICES_VARIABLE}\` (at most 48 KB); \`auto\`, flat while the environment's variables fit GitHub's ${GITHUB_VARIABLES_PER_ENVIRONMENT} (or a service sets \`variableNames\`), else compact.`,
      ),
  }).describe(
    "The app repository and this stage's GitHub environment on it: which refs and people may deploy, and the secrets and variables the stack writes there for the workflows (written from the real resource names, so nobody pastes them).",
  );

  const oidc = strict({
    mode: z
      .enum(["create", "existing"], {
        error:
          'must be "create" (this stack creates the account\'s GitHub OIDC provider) or "existing" (another stack or a person did). Fix: exactly one stack per AWS account says "create"',
      })
      .describe(
        "`create`: this stack creates the provider (or takes it over, with `adopt.oidcProvider`); `existing`: another stack or a person did, and it is looked up. Exactly one stack per account says `create`: when another stack file beside this one names an account of `aws:allowedAccountIds` and also says `create`, the config is refused.",
      ),
    arn: arn("arn", "githubOidcProvider")
      .optional()
      .describe(
        "With `existing`: look the provider up by this ARN instead of by its URL. Refused with `create`.",
      ),
  }).describe(
    "The account's GitHub OIDC identity provider (`https://token.actions.githubusercontent.com`, audience `sts.amazonaws.com`), which every role of the stage trusts. IAM keeps one per account, so two stacks in one account must not both create it (`EntityAlreadyExists`).",
  );

  /** How any GitHub Actions role of the stage is trusted and bounded. */
  const roleSettings = {
    allowSubjectPatterns: bool()
      .default(false)
      .describe(
        "Allow `*` in the branch or tag name of ref subjects (`ref:refs/tags/backend-v*`); without it, such a subject is refused.",
      ),
    maxSessionDuration: intRange("maxSessionDuration (seconds)", 3600, 43200)
      .default(COMMON_DEFAULTS.maxSessionDurationSeconds)
      .describe("Longest session, in seconds, a workflow may request for the role."),
    permissionsBoundary: arn("permissionsBoundary", "policy")
      .optional()
      .describe(
        "IAM policy (the account's or AWS-managed) set as the role's permissions boundary: whatever its policies grant, it never gets more.",
      ),
  };

  /** Grants either kind of role may add: each a named kind with exact resources. */
  const extraGrants = {
    readSecrets: stringList("readSecrets")
      .default([])
      .describe(
        "Keys of `delivery:secrets` the role may read (`secretsmanager:GetSecretValue` on exactly their ARNs, and `kms:Decrypt` through Secrets Manager on `secretSettings.kmsKeyArn`); an undeclared key is refused.",
      ),
    managedPolicyArns: unique(
      z.array(arn("managedPolicyArns entries", "policy"), {
        error: "must be a list of IAM policy ARNs",
      }),
      "managedPolicyArns",
    )
      .default([])
      .describe(
        "Customer-managed policies attached as they are; two of one name are refused. AWS-managed policies are refused: they grant on every resource of the account, the other stage's included (admin-class ones with that reason). Opaque to the access model, so they count as write and secret access: prod needs the reviewed environment, no pull request or any-branch subject may reach them, and the same policy in both stages needs `delivery:shared`.",
      ),
    cdkBootstrap: strict({
      qualifier: z
        .string()
        .regex(/^[a-z0-9]{1,10}$/, {
          error:
            'must be the bootstrap qualifier: up to 10 lowercase letters and digits (cdk bootstrap --qualifier). Fix: e.g. "hnb659fds", the default',
        })
        .default("hnb659fds")
        .describe(
          "The bootstrap's qualifier (`cdk bootstrap --qualifier`); two stages in one account need distinct ones, unless declared in `delivery:shared`.",
        ),
    })
      .optional()
      .describe(
        "May `sts:AssumeRole` exactly this account's CDK bootstrap roles of the qualifier, `cdk-<qualifier>-{deploy,file-publishing,image-publishing,lookup}-role-<account>-<region>`: what `cdk deploy` needs. CloudFormation then acts with the bootstrap's execution role, AdministratorAccess unless bootstrapped with `--cloudformation-execution-policies`, so treat the role as admin; the break-glass user never copies this grant (the fallback is refused next to it on the deploy role).",
      ),
    lambdaFunctions: unique(
      z.array(
        z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
          error:
            'must be a Lambda function name (1-64 letters, digits, "-", "_"). Fix: e.g. "shop-resize"',
        }),
        { error: "must be a list of Lambda function names" },
      ),
      "lambdaFunctions",
    )
      .default([])
      .describe(
        "Lambda functions of the stage's account and region the role may deploy: update code and configuration, publish versions, create and update aliases. No `iam:PassRole`, so never a new execution role.",
      ),
  };

  const deployRole = strict({
    subjects: stringList("subjects")
      .default([])
      .describe(
        "What the role trusts besides `environment:<github.environment>`; the forms and refusals are listed under `delivery:deployRole`.",
      ),
    /** Where the environment gets the role's ARN; the deploy workflows read it there. */
    githubOutput: strict({
      name: githubName("githubOutput.name", "AWS_ROLE_TO_ASSUME").describe(
        "The environment secret or variable the deploy workflows read the ARN from (`AWS_ROLE_TO_ASSUME`, say).",
      ),
      kind: z
        .enum(["secret", "variable"], { error: 'must be "secret" or "variable"' })
        .default("secret")
        .describe("An environment secret or an environment variable."),
    })
      .default({ name: ROLE_ARN_SECRET, kind: "secret" })
      .describe(
        `Where the stage's environment gets the deploy role's ARN, for teams whose workflows read another name; without it, the secret \`${ROLE_ARN_SECRET}\`. The generated workflows read it there and hand it to the credential check as \`${ROLE_ARN_SECRET}\`.`,
      ),
    ...roleSettings,
    /** What the deploy role may do besides deploying the stage's services. */
    grants: strict(extraGrants)
      .default({
        readSecrets: [],
        managedPolicyArns: [],
        lambdaFunctions: [],
      })
      .describe(
        "What the deploy role may do besides deploying the stage's services; the break-glass user copies these grants, not its attached policies.",
      ),
  }).describe(
    "The role the app repository's deploy jobs assume, `<app>-<stack>-deploy`, trusted for `environment:<github.environment>` and whatever `subjects` adds. It may push to the stage's repositories, register revisions of its task definition families, roll them out to its services and pass exactly their task and execution roles to ECS tasks (`docs/security.md`). A stage without services has none, and refuses `subjects` and `grants` here.\n\n" +
      "Subjects, here and for every extra role, each with or without the `repo:<owner>/<repository>:` prefix: `environment:<name>`, `ref:refs/heads/<branch>`, `ref:refs/tags/<tag>`, `pull_request`. Exact subjects are matched with `StringEquals`; patterns (`*` in the branch or tag name, with `allowSubjectPatterns: true`) with `StringLike`, and a `*` never spans a `/`, as in GitHub's own ref patterns.\n\nRefused, for every role, each with its own message: empty or bare `*`; a wildcard in the owner or repository part; another repository than the role's; the other stage's environment, in any letter case; an environment name with wildcards or characters other than letters, digits, `-`, `_`, `.`; a ref outside `refs/heads/` or `refs/tags/`, or with whitespace or `:`; a `*` pattern without `allowSubjectPatterns: true`; `?`; any other kind of subject. A role that may change something or read a secret is also refused when a pull request, every branch or every tag (a pattern of only `*`), or an environment every ref may use with nobody reviewing, can assume it: only read-only roles may be that exposed. The deploy role always may change something.",
  );

  const ecr = strict({
    imageTagMutability: z
      .enum(["MUTABLE", "IMMUTABLE"], { error: 'must be "MUTABLE" or "IMMUTABLE"' })
      .default(d.ecr.imageTagMutability)
      .describe(
        "Whether a pushed tag may later name another image; prod refuses `MUTABLE`, so a deployed tag always means the same image. Where tags are mutable, the workflows also push a moving `<stack>` tag.",
      ),
    stageTag: bool()
      .default(false)
      .describe(
        "With `IMMUTABLE` tags, let exactly one tag move: `<stack>` (`:prod`), which the workflows point at the newest image, for consumers that follow it (an image run elsewhere, say). Every other tag, `:<sha>` included, stays immutable: the repository is `IMMUTABLE_WITH_EXCLUSION` with the one exclusion filter `<stack>` (a literal, no wildcard). Refused with `MUTABLE`, where the tag moves anyway.",
      ),
    scanOnPush: bool()
      .default(true)
      .describe(
        "Scan every pushed image for vulnerabilities (Security Hub ECR.1); prod refuses `false`.",
      ),
    untaggedExpiryDays: intRange("untaggedExpiryDays", 1, 365)
      .default(d.ecr.untaggedExpiryDays)
      .describe("The lifecycle policy expires untagged images this many days after their push."),
    keepLastImages: intRange("keepLastImages", 1, 1000)
      .default(d.ecr.keepLastImages)
      .describe("The lifecycle policy keeps only the newest this many images, tagged or not."),
    kmsKeyArn: arn("kmsKeyArn", "kmsKey")
      .optional()
      .describe(
        "Customer-managed KMS key (its ARN, not an alias, in the stack's region and account) that encrypts the repositories; without it, AES256.",
      ),
    forceDelete: bool()
      .default(false)
      .describe("Let a destroy delete a repository that still holds images; prod refuses `true`."),
  }).describe(
    "The ECR repositories the stage creates, one per service (`<app>-<stack>-<service>`, or `repositoryName`): scanned on push, with a lifecycle policy; prod's are protected from deletion. A repository given by `existingRepository` gets none of these settings.",
  );

  const secretRef = z
    .union(
      [
        z.string(),
        strict({
          secret: z
            .string({ error: "the secret's name is required" })
            .describe("The `delivery:secrets` key."),
          jsonKey: z
            .string()
            .regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be a JSON key name. Fix: e.g. "password"' })
            .optional()
            .describe(
              "One key of the secret's JSON value to inject; refused on a `generated` secret, which is no JSON (ECS could not start the task).",
            ),
        }),
      ],
      {
        error:
          'must be a secret name or { secret: <name>, jsonKey: <key> }. Fix: e.g. JWT_SECRET: "jwt-secret"',
      },
    )
    .describe(
      "The `delivery:secrets` key whose value the variable gets, or `{ secret, jsonKey }`.",
    );

  /** A container's command or entry point: the words ECS runs, without a shell. */
  const commandWords = (what: string) =>
    z
      .array(z.string().min(1, { error: `${what} words must not be empty` }), {
        error: `must be a list of words, e.g. ["node", "worker.js"]`,
      })
      .min(1, { error: `needs at least one word. Fix: remove ${what} to use the image's own` })
      .optional()
      .describe(
        `Overrides the image's ${what === "command" ? "command (`CMD`)" : "entry point (`ENTRYPOINT`)"}: the words ECS runs, without a shell (\`["node", "worker.js"]\`); without it, the image's own.`,
      );

  /** What every kind of service has: where its image is built and pushed, and what pushes it. */
  const imageKeys = {
    deployOn: strict({
      tags: stringList("tags")
        .optional()
        .describe(
          "Tags that deploy it, each one of `github.deployTags`. Without it: the tags named after the service (`backend-v*`), or, where no tag names any service, every deploy tag (`v*`); never another service's.",
        ),
      branches: stringList("branches")
        .optional()
        .describe(
          "Branches that deploy it, each one of `github.deployBranches`; without it, all of them.",
        ),
    })
      .optional()
      .describe(
        "The refs that deploy this service: its workflow's triggers. A service that no ref deploys is refused.",
      ),
    architecture: z
      .enum(["ARM64", "X86_64"], {
        error: 'must be "ARM64" or "X86_64" (match the image you build)',
      })
      .default(COMMON_DEFAULTS.architecture)
      .describe(
        "The task's CPU architecture, and what the generated workflow builds the image for; it must match the image.",
      ),
    repositoryName: ecrRepositoryName("shop-backend")
      .optional()
      .describe(
        "Name of the ECR repository the stack creates for the service; the image reference `<registry>/<name>:<tag>` must stay within ECS's 255 characters. Refused next to `existingRepository` or `adopt.repositories`: a repository comes from one place.",
      ),
    existingRepository: ecrRepositoryName("shop-backend")
      .optional()
      .describe(
        "Use this existing repository, looked up and never managed here (no lifecycle policy, no settings); the deploy role pushes to it. Images are tagged `<stack>-<sha>` and no moving tag is pushed, so no stage deploys an image another stage's pipeline built. One repository for two stages: one stack manages it (or neither), the other references it, and both declare it in `delivery:shared`.",
      ),
    build: strict({
      context: z
        .string()
        .regex(BUILD_PATH, {
          error: 'must be a path in the app repository. Fix: e.g. "./backend"',
        })
        .default(".")
        .describe("The Docker build context the generated workflow builds, in the app repository."),
      dockerfile: z
        .string()
        .regex(BUILD_PATH, {
          error: 'must be a path in the app repository. Fix: e.g. "./backend/Dockerfile"',
        })
        .optional()
        .describe("The Dockerfile, in the app repository; without it, the context's `Dockerfile`."),
    }).default({ context: "." }),
  };
  /** What runs the image on ECS: the task definition, its roles, the ECS service. */
  const taskKeys = {
    port: intRange("port", 1, 65535)
      .optional()
      .describe("The port the container listens on; required for `web`."),
    healthCheckPath: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.~%-]*$/, {
        error:
          'must be a URL path starting with "/" (no spaces or quotes). Fix: e.g. "/api/health"',
      })
      .optional()
      .describe(
        "The path the container health check GETs on `port`, the app's real one (`/api/health`); required for `web`.",
      ),
    healthCheck: strict({
      command: z
        .string({ error: "must be a shell command that exits 0 while the worker is healthy" })
        .min(1, { error: "must not be empty" })
        .max(1024, { error: "must be at most 1024 characters" })
        .describe("Run as `CMD-SHELL`; the container is healthy while it exits 0."),
    })
      .optional()
      .describe(
        "`worker` only: its container health check. Without it a worker has none, since a check it cannot answer would make ECS kill the task.",
      ),
    command: commandWords("command"),
    entryPoint: commandWords("entryPoint"),
    autoscaling: strict({
      minTasks: intRange("minTasks", 0, 100).describe(
        "Fewest tasks, at most `maxTasks`; the service starts with this many.",
      ),
      maxTasks: intRange("maxTasks", 1, 100).describe("Most tasks."),
      cpuTarget: intRange("cpuTarget (percent)", 1, 100)
        .optional()
        .describe("Average CPU utilization, in percent, that a target tracking policy holds."),
      memoryTarget: intRange("memoryTarget (percent)", 1, 100)
        .optional()
        .describe("Average memory utilization, in percent, that a target tracking policy holds."),
    })
      .optional()
      .describe(
        "Application Auto Scaling owns the service's task count between `minTasks` and `maxTasks`, with a target tracking policy per target (at least one; each creates two billed CloudWatch alarms); `pulumi up` then ignores the count. Needs `ecs.cluster` and `ecs.network`. The scaler acts through its service-linked role `AWSServiceRoleForApplicationAutoScaling_ECSService`, which AWS creates on first use (whoever runs `pulumi up` needs `iam:CreateServiceLinkedRole`).",
      ),
    cpu: z
      .number({ error: "must be a number of CPU units. Fix: e.g. 256" })
      .default(COMMON_DEFAULTS.cpu)
      .describe(
        "CPU units of the task (1024 = one vCPU); with `memory`, one of Fargate's pairs (listed under `delivery:services`).",
      ),
    memory: z
      .number({ error: "must be a number of MiB. Fix: e.g. 512" })
      .default(COMMON_DEFAULTS.memory)
      .describe("Memory of the task, in MiB; with `cpu`, one of Fargate's pairs."),
    environment: z
      .record(
        z
          .string()
          .regex(ENV_NAME_PATTERN, {
            error: "environment variable names are letters, digits and _. Fix: e.g. NODE_ENV",
          })
          .meta({ title: "NAME" }),
        z.union([z.string(), z.number(), z.boolean()], {
          error: "must be a string, number or boolean",
        }),
        { error: "must be a map of NAME: value" },
      )
      .default({})
      .describe(
        `Plain environment variables of the container, in the task definition in plain text. Refused: names that look like a secret (${SECRET_LIKE_NAME_RULE}), values that look like a credential (${CREDENTIAL_VALUE_KINDS}), and names also under \`secrets\`.`,
      ),
    secrets: z
      .record(
        z
          .string()
          .regex(ENV_NAME_PATTERN, {
            error: "secret variable names are letters, digits and _. Fix: e.g. JWT_SECRET",
          })
          .meta({ title: "VARIABLE" }),
        secretRef,
        { error: "must be a map of VARIABLE_NAME: secret-name" },
      )
      .default({})
      .describe(
        "Environment variables the container gets from secrets, injected by ARN, never as values; each secret must be declared in `delivery:secrets`, and the service's execution role may read exactly these.",
      ),
    imageTag: z
      .string()
      .regex(IMAGE_TAG, {
        error: 'must be a Docker image tag. Fix: e.g. "backend-v1.4.2"',
      })
      .optional()
      .describe(
        "The tag `pulumi up` deploys: required with `ecs.imageOwner: stack`, refused with `pipeline`.",
      ),
    readonlyRootFilesystem: bool()
      .default(true)
      .describe(
        "Mount the container's root filesystem read-only (Security Hub ECS.5), with a writable volume at `/tmp`; `false` for an app that writes elsewhere.",
      ),
    healthCheckCommand: z
      .enum(["curl", "wget"], { error: 'must be "curl" or "wget" (whichever the image has)' })
      .default("curl")
      .describe("What the HTTP health check runs inside the container: whichever the image has."),
    desiredCount: intRange("desiredCount", 0, 100)
      .default(d.desiredCount)
      .describe(
        "Tasks the service runs; with `autoscaling` unused (the service starts at `minTasks`).",
      ),
    healthCheckGracePeriodSeconds: intRange("healthCheckGracePeriodSeconds", 0, 7200)
      .default(COMMON_DEFAULTS.healthCheckGracePeriodSeconds)
      .describe(
        "Seconds ECS ignores failing load balancer health checks of a new task; applied only with `targetGroupArn`.",
      ),
    targetGroupArn: arn("targetGroupArn", "targetGroup")
      .optional()
      .describe(
        "Load balancer target group (`…:targetgroup/<name>/<id>`, not a load balancer) in the stack's region and account that the service registers its container port in; `web` only.",
      ),
    existingServiceName: z
      .string()
      .regex(ECS_NAME, { error: "must be an ECS service name" })
      .optional()
      .describe(
        "Deploy to this existing service (looked up) instead of creating one. Requires `ecs.cluster.existingName` (a cluster this stack creates holds no existing service), not `ecs.network`: the service keeps its own. Refuses `autoscaling`, since the existing scaling is its owner's.",
      ),
    family: z
      .string()
      .regex(NAMESPACES.taskFamily.pattern, {
        error: `must be a task definition family (${NAMESPACES.taskFamily.allowed}). Fix: e.g. "shop-backend"`,
      })
      .optional()
      .describe(
        "The task definition family the service runs (keep an existing service's); without it, `<app>-<stack>-<name>`. The deploy role registers only its revisions.",
      ),
    containerName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,255}$/, {
        error: 'must be a container name (1-255 letters, digits, "_", "-"). Fix: e.g. "app"',
      })
      .optional()
      .describe(
        "The container's name in the task definition; without it, the service's key, which still names its variables and tags.",
      ),
    executionRoleArn: arn("executionRoleArn", "role")
      .optional()
      .describe(
        "Run with this existing execution role of the account (looked up at preview) instead of one the stack creates and scopes. It is used as it is, never written to, so it may read only adopted secrets (one this stack creates gets an ARN the role was never granted); one role may serve several services, and the deploy role may pass exactly it.",
      ),
    taskRoleArn: arn("taskRoleArn", "role")
      .optional()
      .describe(
        "Run with this existing task role of the account (looked up at preview) instead of one the stack creates. It is used as it is, never written to, so `taskRolePolicyArns` is refused next to it; one role may serve several services, and the deploy role may pass exactly it.",
      ),
    taskRolePolicyArns: unique(
      z.array(arn("taskRolePolicyArns entries", "policy"), {
        error: "must be a list of IAM policy ARNs",
      }),
      "taskRolePolicyArns",
    )
      .default([])
      .describe(
        `Managed policies (the account's or AWS-managed) attached to the task role: the app's own AWS permissions, each policy name once, at most \`quotas.managedPoliciesPerRole\`. Admin-class AWS-managed policies are refused (${Object.keys(
          ADMIN_CLASS_POLICIES,
        )
          .map((n) => `\`${n}\``)
          .join(", ")}).`,
      ),
  };
  const variableNames = {
    repository: githubName("variableNames.repository", "ECR_REPOSITORY_BACKEND")
      .optional()
      .describe(
        `Instead of \`${serviceVariables("<svc>").repository}\`: the variable holding the repository's name.`,
      ),
  };
  const taskVariableNames = {
    service: githubName("variableNames.service", "ECS_SERVICE_BACKEND")
      .optional()
      .describe(
        `Instead of \`${serviceVariables("<svc>").service}\`: the variable holding the ECS service's name; refused for a service that does not run on the stage's cluster.`,
      ),
    taskDefinition: githubName("variableNames.taskDefinition", "ECS_TASK_DEFINITION_BACKEND")
      .optional()
      .describe(
        `Instead of \`${serviceVariables("<svc>").taskDefinition}\`: the variable holding the task definition family.`,
      ),
    containerName: githubName("variableNames.containerName", "CONTAINER_NAME_BACKEND")
      .optional()
      .describe(
        `Instead of \`${serviceVariables("<svc>").containerName}\`: the variable holding the container's name.`,
      ),
    logGroup: githubName("variableNames.logGroup", "LOG_GROUP_BACKEND")
      .optional()
      .describe(
        `Instead of \`${serviceVariables("<svc>").logGroup}\`: the variable holding the log group's name.`,
      ),
    cluster: githubName("variableNames.cluster", "ECS_CLUSTER_BACKEND")
      .optional()
      .describe(
        "A variable of the service's own holding the cluster's name (`ECS_CLUSTER_BACKEND`), written next to `ECS_CLUSTER` and read by its workflow; refused without `ecs.cluster`.",
      ),
  };
  /** The service's own names for its environment variables. */
  const describeVariableNames = <T extends z.ZodType>(schema: T) =>
    schema
      .optional()
      .describe(
        "The service's own names for its environment variables, for teams whose workflows already read other names; the generated workflows read exactly these. Flat layout only: refused with `github.variableLayout: compact` and with `github.manage: false`.",
      );

  const taskService = strict({
    kind: z
      .enum(["web", "worker"], {
        error: SERVICE_KIND_ERROR,
      })
      .default("web")
      .describe(
        "`web` listens on `port`, is checked over HTTP and may sit behind `targetGroupArn`; `worker` (a queue consumer, say) has no port, no HTTP check and no load balancer, and refuses those keys. Or `image` (below).",
      ),
    ...imageKeys,
    ...taskKeys,
    variableNames: describeVariableNames(strict({ ...variableNames, ...taskVariableNames })),
  });
  /** An image only: its repository and the workflow that pushes to it, run by something else. */
  const imageService = strict(
    {
      kind: z
        .literal("image")
        .describe(
          "An image only: its ECR repository, built and pushed by the generated workflow and run by something else (another account's ECS, a Helm chart, a vendor). It has `architecture`, `build`, `deployOn` and its repository, and nothing else: no task definition, roles, log group, ECS service or autoscaling, and every key that would run it on ECS is refused. The deploy role may push to its repository only; its workflow pushes `:<sha>` and, where tags are mutable, moves `:<stack>`.",
        ),
      ...imageKeys,
      variableNames: describeVariableNames(
        strict(
          {
            ...variableNames,
            ...refused(keysOf(taskVariableNames), (k) => imageRefusal(`variableNames.${k}`)),
          },
          Object.keys(variableNames),
        ),
      ),
      ...refused(keysOf(taskKeys), imageRefusal),
    },
    ["kind", ...Object.keys(imageKeys), "variableNames"],
  );
  const service = z.discriminatedUnion("kind", [taskService, imageService], {
    error: (issue) => (issue.code === "invalid_union" ? SERVICE_KIND_ERROR : undefined),
  });

  /** Keys every secret source has. */
  const secretCommon = {
    name: z
      .string()
      .min(1, { error: "must not be empty. Fix: remove it to use <app>/<stage>/<secret>" })
      .optional()
      .describe(
        "The Secrets Manager name (letters, digits and `/_+=.@-`); without it, `<app>/<stack>/<name>`. An adopted secret's name comes from its ARN, and this must then match it.",
      ),
    description: z
      .string()
      .max(2048, { error: "is longer than Secrets Manager allows (2048). Fix: shorten it" })
      .optional()
      .describe(
        "The Secrets Manager description; without it, `<app> <stage>: <name> (<source>)`. When adopting a secret, give its existing description, or `pulumi up` changes it.",
      ),
    recoveryWindowDays: recoveryWindow(
      "Days this secret stays restorable once deleted, instead of `secretSettings.recoveryWindowDays`:",
    ).optional(),
    /** The environment variable the secret's name is written to, for the team's workflows. */
    githubVariable: githubName("githubVariable", "AWS_SECRET_NAME")
      .optional()
      .describe(
        "Also write the secret's Secrets Manager name (never its value) as this variable of the stage's environment, for workflows that read the secret themselves (`AWS_SECRET_NAME`); refused with `github.manage: false`.",
      ),
  };
  const secret = z
    .discriminatedUnion(
      "source",
      [
        strict({
          source: z.literal("generated"),
          ...generatedValue(),
          upper: bool().default(true).describe("Include uppercase letters."),
          lower: bool().default(true).describe("Include lowercase letters."),
          numeric: bool().default(true).describe("Include digits."),
          ...secretCommon,
        }).describe(
          "A random value the program generates, the same until `rotation` changes; at least one of `upper`, `lower`, `numeric` and `special` must be on.",
        ),
        strict({
          source: z.literal("config"),
          key: configKey(),
          ...secretCommon,
        }).describe("The value of an encrypted config key."),
        strict({
          source: z.literal("external"),
          placeholder: bool()
            .default(true)
            .describe(
              "Write a placeholder version once, so tasks start (with the placeholder text) rather than crash-loop until the real value is set. With `false`, and always for an adopted secret, no version is written, and tasks fail to start until someone sets one.",
            ),
          ...secretCommon,
        }).describe(
          "A value set out of band (`aws secretsmanager put-secret-value`), which the program never overwrites (external secrets: `docs/operating.md`).",
        ),
      ],
      {
        error:
          'source must be "generated", "config" or "external". Fix: e.g. { source: generated, length: 64 }',
      },
    )
    .describe("Where the value comes from.");

  const secretSettings = strict({
    recoveryWindowDays: recoveryWindow(
      "Days a deleted secret stays restorable, for every secret without its own:",
    ).default(d.secretRecoveryWindowDays),
    kmsKeyArn: arn("kmsKeyArn", "kmsKey")
      .optional()
      .describe(
        "Customer-managed KMS key (its ARN, not an alias, in the stack's region and account) for every secret; the roles that read them get `kms:Decrypt` on it through Secrets Manager. Without it, `aws/secretsmanager`.",
      ),
  }).describe("Settings of every secret of `delivery:secrets`.");

  const ecs = strict({
    imageOwner: z
      .enum(["pipeline", "stack"], {
        error:
          'must be "pipeline" (CI registers task definition revisions) or "stack" (imageTag in config)',
      })
      .default(COMMON_DEFAULTS.imageOwner)
      .describe(
        "Who owns the image tag: `pipeline`, CI registers new task definition revisions and `pulumi up` never rolls back what it deployed (it ignores the service's task definition); `stack`, `services.<name>.imageTag` is what `pulumi up` deploys. Image ownership: `docs/operating.md`.",
      ),
    bootstrapImageTag: z
      .string()
      .regex(IMAGE_TAG, {
        error: 'must be a Docker image tag. Fix: e.g. "bootstrap"',
      })
      .default(COMMON_DEFAULTS.bootstrapImageTag)
      .describe(
        "With `imageOwner: pipeline`, the tag of the task definitions `pulumi up` registers: push it, or tasks fail pulling until CI deploys.",
      ),
    logRetentionDays: z
      .union(
        LOG_RETENTION_DAYS.map((n) => z.literal(n)),
        {
          error: `must be a CloudWatch retention value. Fix: one of ${LOG_RETENTION_DAYS.join(", ")}`,
        },
      )
      .default(d.logRetentionDays as 30)
      .describe("Days the services' log groups keep their logs."),
    cluster: z
      .union(
        [
          strict({
            create: z
              .literal(true, {
                error:
                  "must be true to create the cluster. Fix: to use a cluster made elsewhere, write { existingName: <cluster name> } instead",
              })
              .describe("This stack creates the cluster."),
            name: z
              .string()
              .regex(ECS_NAME, {
                error: 'must be an ECS cluster name. Fix: e.g. "shop-staging"',
              })
              .optional()
              .describe(
                "The created cluster's name; without it, `<app>-<stack>`. With `adopt.cluster` it must be the adopted one.",
              ),
            containerInsights: z
              .enum(["enabled", "enhanced", "disabled"], {
                error: 'must be "enabled", "enhanced" or "disabled"',
              })
              .default(d.containerInsights)
              .describe(
                "CloudWatch Container Insights on the cluster (Security Hub ECS.12); `enhanced` adds task and container metrics, at extra cost.",
              ),
          }),
          strict({
            existingName: z
              .string()
              .regex(ECS_NAME, { error: "must be an ECS cluster name" })
              .describe("Run on this existing cluster, looked up and never managed here."),
          }),
        ],
        {
          error:
            "must be { create: true, name?, containerInsights? } or { existingName: <cluster name> }. Fix: check each key against docs/config.md",
        },
      )
      .optional()
      .describe(
        "The cluster the services run on: created here or existing. Refused in a stage without services.",
      ),
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
        .max(16, { error: "ECS takes at most 16 subnets per service. Fix: list at most 16" })
        .describe("Subnets the services' tasks run in (private ones, usually)."),
      securityGroups: unique(
        z.array(
          z.string().regex(/^sg-[0-9a-f]{8,17}$/, {
            error: 'must be a security group id. Fix: e.g. "sg-0123456789abcdef0"',
          }),
        ),
        "securityGroups",
      )
        .min(1, { error: "needs at least one security group. Fix: list the groups the tasks use" })
        .max(5, { error: "ECS takes at most 5 security groups per service. Fix: list at most 5" })
        .describe("Security groups of the services' tasks."),
      assignPublicIp: bool()
        .default(false)
        .describe(
          "Give the tasks a public IP (Security Hub ECS.2); otherwise the deploy role may not turn one on either.",
        ),
    })
      .optional()
      .describe(
        "The services' network (`awsvpc`); requires `cluster`. Without it no ECS service is created, except that a service with `existingServiceName` keeps its own; each service's task definition, roles and log group are declared either way.",
      ),
  }).describe(
    "Where and how the services run: image ownership, logs, cluster and network. A service that runs as no ECS service here gets its task definition registered, and its workflow only registers revisions.",
  );

  const role = strict({
    repository: z
      .string()
      .regex(GITHUB_REPOSITORY_NAME, {
        error:
          'must be a repository name of the same owner, without owner or wildcards. Fix: e.g. "shop-infra"',
      })
      .optional()
      .describe(
        "The repository whose workflows may assume the role, one of `github:owner`'s (an infra repository, say); without it, `github.repository`.",
      ),
    repositoryId: positiveId("repositoryId", "gh api repos/OWNER/REPO --jq .id").describe(
      "That repository's numeric id (`gh api repos/OWNER/REPO --jq .id`); required under `immutable` when `repository` is not the app's.",
    ),
    subjectFormat: z
      .enum(["names", "immutable"], {
        error: 'must be "names" or "immutable", as GitHub writes sub for this role\'s repository',
      })
      .optional()
      .describe(
        "Only for a role on another repository (refused otherwise): how GitHub writes `sub` for that repository, an older infra repository may still use names while a new app repository uses ids; without it, `github.subjectFormat`.",
      ),
    githubOutput: strict({
      name: githubName("githubOutput.name", "AWS_ROLE_TO_ASSUME").describe(
        "The secret or variable the team's workflow reads the ARN from (`AWS_ROLE_TO_ASSUME`, `NPM_PUBLISH_ROLE_ARN`).",
      ),
      kind: z
        .enum(["secret", "variable"], { error: 'must be "secret" or "variable"' })
        .default("secret")
        .describe("A secret or a variable."),
      scope: z
        .enum(["environment", "repository"], {
          error:
            'must be "environment" (the stage\'s environment only) or "repository" (every workflow of the repository)',
        })
        .default("environment")
        .describe(
          "`environment`: the stage's environment, so the role must trust `environment:<github.environment>`; `repository`: every workflow of the repository, which prod refuses for a role that may change anything or read a secret.",
        ),
    })
      .optional()
      .describe(
        "Write the role's ARN under the name the team's workflow reads; without it, the ARN is only the stack output `roleArns.<name>`. An ARN is no credential (the trust still decides who may assume the role), but a repository-wide one advertises the role to jobs that never pass the environment's protection. Only for roles of the app repository, and refused with `github.manage: false`.",
      ),
    subjects: stringList("subjects")
      .min(1, {
        error:
          'needs at least one subject; a role without one would trust nothing. Fix: e.g. ["pull_request"]',
      })
      .describe(
        "What the role trusts; the forms and refusals are listed under `delivery:deployRole`.",
      ),
    ...roleSettings,
    grants: strict({
      ...extraGrants,
      pushRepositories: stringList("pushRepositories")
        .default([])
        .describe(
          "Keys of `delivery:services` whose repositories the role may push to and pull from; an undeclared one is refused.",
        ),
      previewReadOnly: bool()
        .default(false)
        .describe(
          "Read-only access for `pulumi preview` of this stage: describe exactly its own resources, never read a secret's value.",
        ),
    }).describe(
      "What the role may do; it must grant something. Unlike the deploy role's grants, the break-glass user never copies these.",
    ),
  });

  const adopt = strict({
    oidcProvider: arn("oidcProvider", "githubOidcProvider")
      .optional()
      .describe(
        "The account's GitHub OIDC provider; requires `oidc.mode: create`. Other stacks share it, so its client ids and thumbprints are left as they are; it must already list `sts.amazonaws.com`.",
      ),
    cluster: z
      .string()
      .regex(ECS_NAME, {
        error: 'must be the existing cluster\'s name. Fix: e.g. "shop"',
      })
      .optional()
      .describe(
        "The cluster, which keeps this name; requires `ecs.cluster.create: true`, whose `name`, if set, must be the same.",
      ),
    repositories: z
      .record(z.string().meta({ title: "service" }), ecrRepositoryName("app-backend"), {
        error: "must be a map of service: existing repository name",
      })
      .default({})
      .describe(
        "Each service's existing repository; refused for an undeclared service, and next to the service's `repositoryName` or `existingRepository`.",
      ),
    logGroups: z
      .record(
        z.string().meta({ title: "service" }),
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
      .default({})
      .describe("Each service's existing log group; refused for an undeclared service."),
    secrets: z
      .record(z.string().meta({ title: "secret" }), arn("the existing secret", "secret"), {
        error: "must be a map of secret: existing secret ARN",
      })
      .default({})
      .describe(
        "Each secret's existing ARN, in the stack's region and account; the name comes from it (`name`, if set, must match). Refused for an undeclared or a `generated` secret, whose value would be replaced; an adopted `external` secret gets no placeholder.",
      ),
  }).describe(
    "Existing hand-made resources this stack takes over (Pulumi `import`): each keeps its name, is updated to the config's settings in the same `pulumi up`, and is never deleted by `pulumi destroy`; in prod, adopted repositories, secrets and log groups are also protected. Keep the keys after the first `pulumi up`: removing one falls back to the default name, which replaces the resource. Migration and adoption: `docs/operating.md`.",
  );

  const fallback = strict({
    enabled: bool()
      .default(false)
      .describe(
        "Create the break-glass user, its access key and the alarm. Requires services, `github.manage`, `alarmEmails` and `trailArn`, in prod also `allowInProd`, and is refused next to `deployRole.grants.cdkBootstrap` (long-lived keys must not carry an admin-equivalent grant).",
      ),
    alarmEmails: unique(
      z.array(
        z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, {
          error: 'must be an e-mail address. Fix: e.g. "oncall@example.com"',
        }),
        { error: "must be a list of e-mail addresses" },
      ),
      "alarmEmails",
      true,
    )
      .default([])
      .describe(
        "Who is told when the keys are used: one e-mail subscription each (the address confirms it), each once in any letter case.",
      ),
    allowInProd: bool()
      .default(false)
      .describe("Prod refuses `enabled` without it: long-lived keys for prod only on purpose."),
    trailArn: arn("trailArn", "trail")
      .optional()
      .describe(
        "The CloudTrail trail, with logging on, that records the account's management events in this region (multi-region, or this region's): the keys' use is detected from its events. Required when enabled.",
      ),
  }).describe(
    "Break-glass access keys, off by default: an IAM user with the deploy role's grants whose keys go only to the environment's secrets (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`), for the workflows to use when the role's ARN is missing. Every use is detected from CloudTrail, not only from the metric the workflow reports, and notifies `alarmEmails`. Break-glass: `docs/operating.md`.",
  );

  /** The top-level sections of `delivery:*`, each parsed on its own so one bad section never hides another's problems. */
  const sections = {
    app: name("app", "shop", 20).describe(
      "First part of every physical name (`<app>-<stack>-…`, `<app>/<stack>/…`), so apps and stages never collide in one account; every name built from it must fit its service's limits.",
    ),
    stage: z
      .enum(["staging", "prod"])
      .optional()
      .describe(
        "The stage (defaults and rules) of a stack not named `staging` or `prod`, which are those stages; for them it must agree, or be left out. Any stack name is part of every physical name: lowercase letters, digits and single `-`, starting with a letter, at most 20 characters.",
      ),
    tags: tags().default({}),
    github,
    oidc,
    deployRole: deployRole.default(deployRole.parse({})),
    ecr: ecr.default(ecr.parse({})),
    services: z
      .record(z.string(), service, { error: "must be a map of service name to settings" })
      .default({})
      .describe(
        "The stage's services, by name: lowercase letters, digits and `-`, starting with a letter, at most 24; the name also names the container (unless `containerName`), the service's variables and its tags, and `<app>-<stack>-<name>-execution` must fit IAM's 64 characters. A stage without services (a publishing role and its secret, say) has no deploy role, repository, log group, cluster, service variable or deploy workflow, and refuses `ecs.cluster`, `ecs.network`, the break-glass fallback and the deploy role's `subjects` and `grants`, which would serve nothing.\n\n" +
          `Fargate's cpu and memory pairs (CPU units → MiB): ${fargateSizesText()}.`,
      ),
    secrets: z
      .record(z.string(), secret, { error: "must be a map of secret name to its source" })
      .default({})
      .describe(
        "The stage's runtime secrets in Secrets Manager, by name: lowercase letters, digits and `-`, at most 64. Containers get them by ARN (`services.<name>.secrets`), roles may read them (`grants.readSecrets`); no value ever reaches an output, the plan or a log line.",
      ),
    secretSettings: secretSettings.default(secretSettings.parse({})),
    ecs: ecs.default(ecs.parse({})),
    roles: z
      .record(z.string(), role, { error: "must be a map of role name to its subjects and grants" })
      .default({})
      .describe(
        "Extra roles for other jobs (a read-only preview of pull requests, a publishing job that may read one token secret), trusted like the deploy role, by name: lowercase letters, digits and `-`, at most 24, not `deploy`. The role is `<app>-<stack>-<name>`, at most 64 characters.",
      ),
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
