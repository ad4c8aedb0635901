/**
 * The two stack files `npm run init` writes, built from its answers as YAML documents with a
 * comment on each key, and validated together by the program's own config pipeline (each stack
 * is the other's sibling, as `pulumi up` sees them) before anything is written.
 *
 * The files are built with the `yaml` package's Document API, not from text: the library quotes
 * what YAML would otherwise misread (account ids with leading zeros, tag patterns starting with
 * `*`, which is an alias in YAML), and the comments sit on the nodes they explain, so the text
 * validated here is exactly the text written.
 */
import * as path from "path";
import { Document, YAMLMap, isScalar } from "yaml";
import { StageName, STAGES } from "../lib/naming";
import { ConfigError, ConfigInput, loadStage } from "../stacks/load";
import { SCHEMA_PATH, schemaModeline } from "../stacks/jsonSchema";
import { PROJECT } from "../stacks/project";
import { ENCRYPTED_PLACEHOLDER, configFromStackYaml } from "../stacks/stackFiles";
import type { Stage } from "../stacks/stage";
import { FLAGS, FlagSpec, InitAnswers, SecretAnswer } from "./initFlags";

/** A map whose keys carry comments, in the order written. */
class CommentedMap {
  constructor(readonly entries: readonly Entry[]) {}
}
/** One key of a {@link CommentedMap}: its value and the comment above it. */
type Entry = readonly [key: string, value: unknown, comment?: string];
const map = (...entries: (Entry | false)[]) =>
  new CommentedMap(entries.filter((e): e is Entry => e !== false));

/** A YAML node of the value; commented maps keep their comments on their keys. */
function toNode(doc: Document, value: unknown): unknown {
  if (!(value instanceof CommentedMap)) return doc.createNode(value);
  const node = new YAMLMap();
  for (const [key, v, comment] of value.entries) {
    const pair = doc.createPair(key, toNode(doc, v));
    if (comment && isScalar(pair.key)) pair.key.commentBefore = ` ${comment}`;
    node.items.push(pair);
  }
  return node;
}

/** The config key (without `delivery:`) of a `source: config` secret: `database-url` → `databaseUrl`. */
export function configKeyOf(secret: string): string {
  return secret.replace(/[-_.]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/** The environment variable a service reads a secret from: `database-url` → `DATABASE_URL`. */
export function secretVariable(secret: string): string {
  return secret.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/** How a secret's value comes into Secrets Manager, as config. */
function secretConfig(s: SecretAnswer): CommentedMap {
  switch (s.source) {
    case "generated":
      return map(
        ["source", "generated", "A random value, made once by the stack."],
        ["length", 64],
      );
    case "config":
      return map(
        [
          "source",
          "config",
          `The encrypted value of delivery:${configKeyOf(s.name)} (pulumi config set --secret).`,
        ],
        ["key", configKeyOf(s.name)],
      );
    case "external":
      return map([
        "source",
        "external",
        "The stack creates the secret; you set its value in Secrets Manager, and the stack never overwrites it.",
      ]);
  }
}

/** The stage's `delivery:services`. */
function servicesConfig(a: InitAnswers): CommentedMap {
  return map(
    ...a.services.map((s): Entry => {
      const secrets = Object.fromEntries(
        a.secrets
          .filter((x) => x.services.includes(s.name))
          .map((x) => [secretVariable(x.name), x.name]),
      );
      const readsSecrets: Entry | false = Object.keys(secrets).length > 0 && [
        "secrets",
        secrets,
        "Injected by ARN: the execution role may read exactly these secrets.",
      ];
      const settings =
        s.kind === "web"
          ? map(
              ["port", s.port, "The port the container listens on."],
              [
                "healthCheckPath",
                s.healthCheckPath,
                "ECS and the load balancer check GET on this path.",
              ],
              readsSecrets,
            )
          : map(
              [
                "kind",
                "worker",
                "No port, no HTTP health check, no load balancer; healthCheck: { command: ... } checks it from inside.",
              ],
              s.port !== undefined && ["port", s.port],
              s.healthCheckPath !== undefined && ["healthCheckPath", s.healthCheckPath],
              readsSecrets,
            );
      return [s.name, settings];
    }),
  );
}

/** Whether the stage creates the account's GitHub OIDC provider: once per account. */
export function createsOidcProvider(a: InitAnswers, stage: StageName): boolean {
  if (a.oidc === "existing") return false;
  // One provider per account: with a shared account, staging creates it and prod looks it up.
  return stage === "staging" || a.stages.prod.account !== a.stages.staging.account;
}

/** The comment on `delivery:oidc.mode`. */
function oidcComment(a: InitAnswers, stage: StageName): string {
  if (a.oidc === "existing")
    return "The account's GitHub OIDC provider exists already: looked up, never changed.";
  if (createsOidcProvider(a, stage)) {
    return stage === "staging" && a.stages.prod.account === a.stages.staging.account
      ? "This stack creates the account's GitHub OIDC provider; prod (same account) looks it up."
      : "This stack creates its account's GitHub OIDC provider (IAM keeps one per account).";
  }
  return "Same AWS account as staging, whose stack creates the provider: looked up here.";
}

/** Prod's environment protection: its reviewers, and nobody deploying alone. */
function prodProtection(a: InitAnswers): CommentedMap {
  const { users, teams } = a.reviewers;
  return map(
    users.length + teams.length > 0 && [
      "reviewers",
      map(users.length > 0 && ["users", [...users]], teams.length > 0 && ["teams", [...teams]]),
      "Required reviewers: one of them approves every prod deploy.",
    ],
    ["preventSelfReview", true, "Whoever starts a prod deploy may not approve it."],
    ["canAdminsBypass", false, "Repository admins wait for the review too."],
  );
}

/** The stage's `delivery:github`. */
function githubConfig(a: InitAnswers, stage: StageName): CommentedMap {
  const prod = stage === "prod";
  return map(
    ["repository", a.repository, "The app repository, without its owner (github:owner)."],
    [
      "environment",
      prod ? "production" : "staging",
      "The GitHub environment whose jobs may assume the deploy role; the stack manages its protection.",
    ],
    prod
      ? ["deployTags", [...a.prodTags], "Tags whose workflow runs may deploy prod."]
      : [
          "deployBranches",
          [...a.stagingBranches],
          "Branches whose workflow runs may deploy staging.",
        ],
    prod && [
      "deployEvents",
      [a.prodOn],
      a.prodOn === "release"
        ? "Deploys when a release of such a tag is published (never a pre-release)."
        : "Deploys on a push of such a tag.",
    ],
    [
      "plan",
      a.githubPlan,
      "What GitHub lets the stack write depends on the owner's plan and the repository's visibility.",
    ],
    ["visibility", a.visibility],
    prod && ["protection", prodProtection(a)],
  );
}

/** The stage's `delivery:ecs`: a cluster and network when the stage runs its services. */
function ecsConfig(a: InitAnswers, stage: StageName): CommentedMap | undefined {
  const s = a.stages[stage];
  if (s.subnets.length === 0) return undefined;
  return map(
    ["cluster", { create: true }, "The stage's own ECS cluster."],
    [
      "network",
      map(
        ["subnets", [...s.subnets], "Private subnets the tasks run in."],
        ["securityGroups", [...s.securityGroups]],
        ["assignPublicIp", false, "No public IP on the tasks (Security Hub ECS.2)."],
      ),
    ],
  );
}

/** The stage's whole config map. */
function stageConfig(a: InitAnswers, stage: StageName): CommentedMap {
  const s = a.stages[stage];
  const secrets = map(...a.secrets.map((x): Entry => [x.name, secretConfig(x)]));
  const ecs = ecsConfig(a, stage);
  return map(
    ["aws:region", s.region],
    [
      "aws:allowedAccountIds",
      [s.account],
      "The AWS provider refuses credentials of any other account before it changes anything.",
    ],
    ["github:owner", a.owner, "The GitHub user or organization of the app repository."],
    [`${PROJECT}:app`, a.app, "Part of every physical name: <app>-<stage>-<service>."],
    [`${PROJECT}:github`, githubConfig(a, stage)],
    [
      `${PROJECT}:oidc`,
      map(["mode", createsOidcProvider(a, stage) ? "create" : "existing", oidcComment(a, stage)]),
    ],
    [
      `${PROJECT}:services`,
      servicesConfig(a),
      [
        "Each service gets an ECR repository, a Fargate task definition and its roles; size, architecture",
        "and environment are in the config reference (defaults: 256 CPU units, 512 MiB, X86_64).",
        ...(ecs
          ? []
          : [
              "No delivery:ecs cluster and network yet, so no ECS services: add cluster: { create: true }",
              "and network: { subnets, securityGroups } to run them.",
            ]),
      ].join("\n "),
    ],
    a.secrets.length > 0 && [
      `${PROJECT}:secrets`,
      secrets,
      "Runtime secrets in Secrets Manager, one per stage; services read them by ARN.",
    ],
    ecs !== undefined && [`${PROJECT}:ecs`, ecs],
    stage === "prod" &&
      a.prodReviewWaiver !== undefined && [
        `${PROJECT}:waivers`,
        map(["prodWithoutReview", a.prodReviewWaiver]),
        "Prod deploys without a required reviewer, for this reason; every plan prints it first.",
      ],
  );
}

/**
 * The comment that opens a stack file: the editor modeline first, then what the stage is. The
 * modeline's path is the schema's from beside `Pulumi.yaml`, where Pulumi reads stack files: a
 * file written elsewhere (`--dir`) works once it is moved there, as init's last lines say.
 */
function header(a: InitAnswers, stage: StageName): string {
  const refs =
    stage === "staging"
      ? `deploys from ${a.stagingBranches.join(", ") || "no branch"} through the GitHub environment staging.`
      : `deploys from tags ${a.prodTags.join(", ")}${a.prodOn === "release" ? " (published releases)" : ""} through the GitHub environment production${a.prodReviewWaiver ? "." : ", whose reviewers approve every deploy."}`;
  return [
    ` ${schemaModeline(SCHEMA_PATH).replace(/^# /, "")}`,
    ` ${stage === "staging" ? "Staging" : "Prod"} of ${a.app}: ${refs}`,
    " Written by npm run init; every key is explained in docs/config.md.",
  ].join("\n");
}

/** The text of one stack file. */
export function stackFileText(a: InitAnswers, stage: StageName): string {
  const doc = new Document();
  doc.contents = toNode(doc, map(["config", stageConfig(a, stage)])) as YAMLMap;
  doc.commentBefore = header(a, stage);
  return doc.toString({ lineWidth: 0 });
}

/** The file name of a stage's stack file. */
export const stackFileName = (stage: StageName) => `Pulumi.${stage}.yaml`;

/** The `source: config` secrets' config keys (with `delivery:`), which `pulumi config set --secret` fills. */
export function configSecretKeys(a: InitAnswers): string[] {
  return a.secrets
    .filter((s) => s.source === "config")
    .map((s) => `${PROJECT}:${configKeyOf(s.name)}`);
}

/** One problem of the written config, with the flag that wrote the key. */
export interface InitProblem {
  readonly flag?: string;
  /** The config key and the rest of the config pipeline's message. */
  readonly key: string;
  readonly message: string;
  readonly files: readonly string[];
}

/**
 * Which flag wrote a config key of a stage's file: the flag table's `writes`, the given service
 * or secret for its own keys; the longest prefix wins.
 */
function flagOfKey(a: InitAnswers, stage: StageName, key: string): string | undefined {
  const fromTable = FLAGS.flatMap((f) => {
    const spec: FlagSpec = f;
    if (spec.stage !== undefined && spec.stage !== stage) return [];
    if (spec.multiple) return []; // named by the value given, below
    // A stage's own flag also stands for the flag that sets both (--staging-account, --account).
    if (spec.stage === undefined && FLAGS.some((o) => o.name === `${stage}-${f.name}`)) return [];
    const both = spec.stage ? f.name.slice(spec.stage.length + 1) : undefined;
    const label =
      both && FLAGS.some((o) => o.name === both) ? `--${f.name} (or --${both})` : `--${f.name}`;
    return (spec.writes ?? []).map((prefix): [string, string] => [prefix, label]);
  });
  const table: [prefix: string, flag: string][] = [
    ...fromTable,
    [`${PROJECT}:stage`, "--app"],
    ...a.services.map((s): [string, string] => [
      `${PROJECT}:services.${s.name}`,
      `--service ${s.flag}`,
    ]),
    ...a.secrets.flatMap((s): [string, string][] => [
      [`${PROJECT}:secrets.${s.name}`, `--secret ${s.flag}`],
      [`${PROJECT}:${configKeyOf(s.name)}`, `--secret ${s.flag}`],
    ]),
  ];
  const matches = table.filter(
    ([prefix]) => key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`),
  );
  return matches.sort((x, y) => y[0].length - x[0].length)[0]?.[1];
}

/** The two stack files, validated. */
export interface InitResult {
  readonly files: Readonly<Record<StageName, { readonly path: string; readonly text: string }>>;
  /** The stages as the program would build them; empty when there are problems. */
  readonly stages: Partial<Readonly<Record<StageName, Stage>>>;
  readonly problems: readonly InitProblem[];
}

/**
 * Builds both stack files for `dir` and validates them as `pulumi up` would read them: each
 * stack with the other (and any other stack file of `dir`) as its siblings. The values of
 * `source: config` secrets are not in the files yet (`pulumi config set --secret` adds them):
 * they are validated as encrypted values, as the offline plan reads them.
 */
export function buildStackFiles(
  a: InitAnswers,
  dir: string,
  others: readonly ConfigInput[] = [],
): InitResult {
  const files = Object.fromEntries(
    STAGES.map((stage) => [
      stage,
      { path: path.join(dir, stackFileName(stage)), text: stackFileText(a, stage) },
    ]),
  ) as Record<StageName, { path: string; text: string }>;
  const inputs = Object.fromEntries(
    STAGES.map((stage) => [
      stage,
      configFromStackYaml(stage, files[stage].text, files[stage].path),
    ]),
  ) as Record<StageName, ConfigInput>;
  const secretKeys = configSecretKeys(a);
  const problems = new Map<string, InitProblem>();
  const stages: Partial<Record<StageName, Stage>> = {};
  for (const stage of STAGES) {
    const own = inputs[stage];
    const input: ConfigInput = {
      ...own,
      values: {
        ...own.values,
        ...Object.fromEntries(secretKeys.map((k) => [k, ENCRYPTED_PLACEHOLDER])),
      },
      secretKeys: new Set([...own.secretKeys, ...secretKeys]),
      siblings: [
        ...others.filter((o) => o.stack !== stage && !STAGES.includes(o.stack as StageName)),
        ...STAGES.filter((s) => s !== stage).map((s) => inputs[s]),
      ],
    };
    try {
      stages[stage] = loadStage(input);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const text of err.problems) {
        const at = text.indexOf(": ");
        const key = at > 0 ? text.slice(0, at) : "";
        const message = at > 0 ? text.slice(at + 2) : text;
        const id = `${key}\u0000${message}`;
        const known = problems.get(id);
        const file = stackFileName(stage);
        problems.set(
          id,
          known
            ? { ...known, files: [...known.files, file] }
            : { flag: flagOfKey(a, stage, key), key, message, files: [file] },
        );
      }
    }
  }
  return { files, stages: problems.size > 0 ? {} : stages, problems: [...problems.values()] };
}

/** A problem as init prints it: the flag first, then the key of the file it would have written. */
export function formatProblem(p: InitProblem): string {
  const where = `${p.key} in ${p.files.join(" and ")}`;
  return p.flag ? `${p.flag}: ${p.message} (${where})` : `${where}: ${p.message}`;
}
