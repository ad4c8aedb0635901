/**
 * The flags of `npm run init`: one table that parses the command line, prints `--help` and asks
 * the questions of an interactive run, and the step from flag values to the answers the stack
 * files are written from. Only the shape of each value is checked here (a number where a port
 * goes, `KIND` one of two words); what the value may be is the config pipeline's to say, once,
 * for flags and stack files alike.
 */
import {
  GITHUB_PLANS,
  GithubPlan,
  REPOSITORY_VISIBILITIES,
  RepositoryVisibility,
} from "../lib/githubPlans";
import { StageName } from "../lib/naming";

/** A command-line flag of `npm run init`. */
export interface FlagSpec {
  readonly name: string;
  /** What the value looks like, for `--help`; absent for a switch. */
  readonly value?: string;
  /** May be given more than once (and in interactive runs, is asked until the answer is empty). */
  readonly multiple?: boolean;
  readonly help: string;
  /** The config keys the flag writes (with their subkeys), so a refused key names its flag. */
  readonly writes?: readonly string[];
  /** The stage whose file the flag writes; absent: both. */
  readonly stage?: StageName;
  /** The question an interactive run asks when the flag is not given; absent: never asked. */
  readonly question?: string;
}

/** Every flag, in the order `--help` lists them and an interactive run asks. */
export const FLAGS = [
  {
    name: "app",
    writes: ["delivery:app"],
    value: "NAME",
    help: "app name, part of every resource name",
    question: "App name",
  },
  {
    name: "owner",
    writes: ["github:owner"],
    value: "OWNER",
    help: "GitHub user or organization of the app repository",
    question: "GitHub owner of the app repository",
  },
  {
    name: "repo",
    writes: ["delivery:github.repository"],
    value: "NAME",
    help: "app repository name, without owner (default: the app name)",
    question: "App repository name",
  },
  {
    name: "service",
    value: "NAME:web:PORT:PATH | NAME:worker",
    multiple: true,
    writes: ["delivery:services"],
    help: "a service: web (listens on PORT, health check GET PATH) or worker (no port); repeat per service",
    question: "Service (NAME:web:PORT:PATH or NAME:worker; empty to finish)",
  },
  {
    name: "secret",
    value: "NAME:generated|config|external[:SERVICE,...]",
    multiple: true,
    writes: ["delivery:secrets"],
    help: "a runtime secret and the services that read it (as NAME in upper case with _); config: you set the value with pulumi config set --secret; external: you set it in Secrets Manager",
    question: "Runtime secret (NAME:SOURCE:SERVICE,...; empty to finish)",
  },
  {
    name: "account",
    value: "ID",
    writes: ["aws:allowedAccountIds"],
    help: "AWS account id of both stages (or give each its own)",
  },
  {
    name: "staging-account",
    writes: ["aws:allowedAccountIds"],
    stage: "staging",
    value: "ID",
    help: "AWS account id of staging",
    question: "AWS account id of staging",
  },
  {
    name: "prod-account",
    writes: ["aws:allowedAccountIds"],
    stage: "prod",
    value: "ID",
    help: "AWS account id of prod",
    question: "AWS account id of prod",
  },
  {
    name: "region",
    value: "REGION",
    writes: ["aws:region"],
    help: "AWS region of both stages (or give each its own)",
  },
  {
    name: "staging-region",
    writes: ["aws:region"],
    stage: "staging",
    value: "REGION",
    help: "AWS region of staging",
    question: "AWS region of staging",
  },
  {
    name: "prod-region",
    writes: ["aws:region"],
    stage: "prod",
    value: "REGION",
    help: "AWS region of prod",
    question: "AWS region of prod",
  },
  {
    name: "staging-branches",
    writes: ["delivery:github.deployBranches"],
    stage: "staging",
    value: "BRANCH,...",
    help: "branches that deploy staging (default: main)",
    question: "Branches that deploy staging",
  },
  {
    name: "prod-tags",
    writes: ["delivery:github.deployTags"],
    stage: "prod",
    value: "PATTERN,...",
    help: 'tag patterns that deploy prod (default: "v*")',
    question: "Tag patterns that deploy prod",
  },
  {
    name: "prod-on",
    writes: ["delivery:github.deployEvents"],
    stage: "prod",
    value: "push|release",
    help: "prod deploys on a push of such a tag, or on a published release of one (default: push)",
    question: "Prod deploys on a tag push or a published release (push|release)",
  },
  {
    name: "github-plan",
    writes: ["delivery:github.plan", "delivery:github.rulesets"],
    value: GITHUB_PLANS.join("|"),
    help: "the GitHub plan of the owner; it decides what the stack may set up (default: team)",
    question: `GitHub plan of the owner (${GITHUB_PLANS.join("|")})`,
  },
  {
    name: "visibility",
    writes: ["delivery:github.visibility"],
    value: REPOSITORY_VISIBILITIES.join("|"),
    help: "visibility of the app repository (default: private)",
    question: `Visibility of the app repository (${REPOSITORY_VISIBILITIES.join("|")})`,
  },
  {
    name: "reviewers",
    writes: ["delivery:github.protection"],
    value: "team:SLUG|user:LOGIN,...",
    help: "required reviewers of every prod deploy (at most 6)",
    question: "Required reviewers of prod deploys (team:SLUG or user:LOGIN, comma-separated)",
  },
  {
    name: "prod-review-waiver",
    writes: ["delivery:waivers"],
    stage: "prod",
    value: "REASON",
    help: "deploy prod without required reviewers, for this reason (printed first by every plan)",
  },
  {
    name: "oidc",
    writes: ["delivery:oidc"],
    value: "create|existing",
    help: "create the account's GitHub OIDC provider (one stack per account does), or use the existing one (default: create)",
    question:
      "GitHub OIDC provider: create it, or does it exist in the account already (create|existing)",
  },
  {
    name: "staging-subnets",
    writes: ["delivery:ecs.network.subnets"],
    stage: "staging",
    value: "SUBNET,...",
    help: "subnets the staging services run in; with --staging-security-groups, staging runs the services on ECS",
    question: "Subnets the staging services run in (empty: task definitions only)",
  },
  {
    name: "staging-security-groups",
    writes: ["delivery:ecs.network.securityGroups"],
    stage: "staging",
    value: "SG,...",
    help: "security groups of the staging services",
    question: "Security groups of the staging services",
  },
  {
    name: "prod-subnets",
    writes: ["delivery:ecs.network.subnets"],
    stage: "prod",
    value: "SUBNET,...",
    help: "subnets the prod services run in; with --prod-security-groups, prod runs the services on ECS",
    question: "Subnets the prod services run in (empty: task definitions only)",
  },
  {
    name: "prod-security-groups",
    writes: ["delivery:ecs.network.securityGroups"],
    stage: "prod",
    value: "SG,...",
    help: "security groups of the prod services",
    question: "Security groups of the prod services",
  },
  {
    name: "dir",
    value: "DIR",
    help: "where to write Pulumi.staging.yaml and Pulumi.prod.yaml (default: the project directory)",
  },
  { name: "force", help: "overwrite stack files that exist" },
  { name: "help", help: "print this help" },
] as const satisfies readonly FlagSpec[];

export type FlagName = (typeof FLAGS)[number]["name"];

/** The flag values of a command line: each given flag with its values, in order. */
export type FlagValues = ReadonlyMap<FlagName, readonly string[]>;

const SPECS: ReadonlyMap<string, FlagSpec> = new Map(FLAGS.map((f) => [f.name, f]));

/** The flag's spec, when `name` is a flag. */
export function flagSpec(name: string): FlagSpec | undefined {
  return SPECS.get(name);
}

/** `--help`: every flag with its value and what it does. */
export function helpText(): string {
  const rows = FLAGS.map((f) => {
    const spec: FlagSpec = f;
    const writes = spec.writes
      ? ` (${spec.writes.join(", ")}${spec.stage ? ` of ${spec.stage}` : ""})`
      : "";
    return [
      `--${spec.name}${spec.value ? ` ${spec.value}` : ""}`,
      `${spec.help}${writes}`,
    ] as const;
  });
  return [
    "usage: npm run init -- --app NAME --owner OWNER --service ... --account ID --region REGION --reviewers ...",
    "",
    "Writes Pulumi.staging.yaml and Pulumi.prod.yaml for a new app, validated as the program validates",
    "them. In a terminal, it asks for what the flags leave out.",
    "",
    ...rows.map(([flag, help]) => `  ${flag}\n      ${help}`),
    "",
    "example:",
    "  npm run init -- --app shop --owner acme --repo shop \\",
    "    --service backend:web:5000:/api/health --service worker:worker \\",
    "    --staging-account 111111111111 --prod-account 222222222222 --region eu-west-1 \\",
    "    --github-plan enterprise --reviewers team:platform",
    "",
    "exit status: 0 written, 1 a stack file exists (use --force), 2 bad flags or values",
  ].join("\n");
}

/** A command line read into flag values, with what was wrong with it. */
export interface ParsedArgs {
  readonly values: FlagValues;
  readonly problems: readonly string[];
}

/**
 * Reads `--flag VALUE`, `--flag=VALUE` and switches. Unknown flags, missing values and repeated
 * single flags are reported together, each naming the flag.
 */
export function parseFlags(argv: readonly string[]): ParsedArgs {
  const values = new Map<FlagName, string[]>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      problems.push(
        `${arg}: not a flag (flags start with --). Fix: remove it, or put the flag it belongs to before it`,
      );
      continue;
    }
    const [, name, inline] = match;
    const spec = flagSpec(name);
    const next = argv[i + 1];
    const takesNext = inline === undefined && next !== undefined && !next.startsWith("--");
    if (!spec) {
      problems.push(`--${name}: unknown flag. Fix: see npm run init -- --help for the flags`);
      if (takesNext) i++; // its value, most likely
      continue;
    }
    let value: string;
    if (!spec.value) {
      if (inline !== undefined) {
        problems.push(`--${name}: takes no value, got "${inline}". Fix: write --${name} alone`);
      }
      value = "true";
    } else if (inline !== undefined) {
      value = inline;
    } else if (takesNext) {
      value = next;
      i++;
    } else {
      problems.push(
        `--${name}: needs a value (${spec.value}). Fix: --${name} ${spec.value.split(" |")[0]}`,
      );
      continue;
    }
    const list = values.get(name as FlagName) ?? [];
    if (list.length > 0 && !spec.multiple) {
      problems.push(`--${name}: given twice ("${list[0]}", "${value}"). Fix: give it once`);
      continue;
    }
    values.set(name as FlagName, [...list, value]);
  }
  return { values, problems };
}

/** A service of the new app, as the flags give it. */
export type ServiceAnswer =
  | {
      readonly name: string;
      readonly kind: "web";
      readonly port?: number;
      readonly healthCheckPath?: string;
      /** The flag value it came from, for messages. */
      readonly flag: string;
    }
  | {
      readonly name: string;
      readonly kind: "worker";
      /** Given for a worker, which has none: the config pipeline refuses it, naming the key. */
      readonly port?: number;
      readonly healthCheckPath?: string;
      readonly flag: string;
    };

/** Where a secret's value comes from (`delivery:secrets.<name>.source`). */
export type SecretSourceAnswer = "generated" | "config" | "external";

/** A runtime secret of the new app and the services that read it. */
export interface SecretAnswer {
  readonly name: string;
  readonly source: SecretSourceAnswer;
  readonly services: readonly string[];
  readonly flag: string;
}

/** What one stage runs in. */
export interface StageAnswer {
  readonly account: string;
  readonly region: string;
  /** Both or neither: the stage runs its services on ECS only with a network. */
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
}

/** Everything the stack files are written from. */
export interface InitAnswers {
  readonly app: string;
  readonly owner: string;
  readonly repository: string;
  readonly services: readonly ServiceAnswer[];
  readonly secrets: readonly SecretAnswer[];
  readonly stages: Readonly<Record<StageName, StageAnswer>>;
  readonly stagingBranches: readonly string[];
  readonly prodTags: readonly string[];
  readonly prodOn: "push" | "release";
  readonly githubPlan: GithubPlan;
  readonly visibility: RepositoryVisibility;
  readonly reviewers: { readonly users: readonly string[]; readonly teams: readonly string[] };
  readonly prodReviewWaiver?: string;
  readonly oidc: "create" | "existing";
}

/** A value of a flag that is one of a few words. */
function oneOf<T extends string>(
  flag: FlagName,
  text: string,
  words: readonly T[],
  problems: string[],
): T | undefined {
  if ((words as readonly string[]).includes(text)) return text as T;
  problems.push(
    `--${flag}: "${text}" is not one of ${words.join(", ")}. Fix: --${flag} ${words[0]}`,
  );
  return undefined;
}

/** A comma-separated list, blanks dropped. */
export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `NAME:web:PORT:PATH` or `NAME:worker`, checked for shape only. */
export function parseService(text: string, problems: string[]): ServiceAnswer | undefined {
  const [name, kind, port, ...rest] = text.split(":");
  const path = rest.length > 0 ? rest.join(":") : undefined;
  const bad = (what: string) => {
    problems.push(
      `--service ${text}: ${what}. Fix: --service NAME:web:PORT:PATH (e.g. backend:web:5000:/api/health) or --service NAME:worker`,
    );
    return undefined;
  };
  if (!name) return bad("the service name is missing");
  if (kind !== "web" && kind !== "worker") {
    return bad(
      kind === undefined ? "the kind is missing" : `"${kind}" is not a kind (web or worker)`,
    );
  }
  if (port !== undefined && !/^\d+$/.test(port)) return bad(`port "${port}" is not a number`);
  if (kind === "web" && (port === undefined || path === undefined)) {
    return bad("a web service needs its port and health check path");
  }
  return {
    name,
    kind,
    port: port === undefined ? undefined : Number(port),
    healthCheckPath: path,
    flag: text,
  };
}

/** `NAME:SOURCE[:SERVICE,...]`, checked for shape only. */
export function parseSecret(text: string, problems: string[]): SecretAnswer | undefined {
  const [name, source, services, ...rest] = text.split(":");
  const sources = ["generated", "config", "external"] as const;
  if (!name || !(sources as readonly string[]).includes(source ?? "") || rest.length > 0) {
    problems.push(
      `--secret ${text}: expected NAME:SOURCE or NAME:SOURCE:SERVICE,..., SOURCE one of ${sources.join(", ")}. Fix: e.g. --secret database-url:config:backend,worker`,
    );
    return undefined;
  }
  return {
    name,
    source: source as SecretSourceAnswer,
    services: splitList(services ?? ""),
    flag: text,
  };
}

/** `team:SLUG` and `user:LOGIN` entries, comma-separated. */
function parseReviewers(text: string, problems: string[]): { users: string[]; teams: string[] } {
  const users: string[] = [];
  const teams: string[] = [];
  for (const entry of splitList(text)) {
    const m = /^(team|user):(.+)$/.exec(entry);
    if (!m) {
      problems.push(
        `--reviewers: "${entry}" is not team:SLUG or user:LOGIN. Fix: e.g. --reviewers team:platform,user:alice`,
      );
    } else {
      (m[1] === "team" ? teams : users).push(m[2]);
    }
  }
  return { users, teams };
}

/** Whether the flag was given. */
const given = (values: FlagValues, flag: FlagName) => values.has(flag);
/** The flag's one value, if given. */
const single = (values: FlagValues, flag: FlagName) => values.get(flag)?.[0];

/**
 * The value of a per-stage flag: `--staging-<x>` / `--prod-<x>`, or `--<x>` for both stages.
 * Both forms at once is a problem.
 */
function perStage(
  values: FlagValues,
  both: "account" | "region",
  stage: StageName,
  problems: string[],
): string | undefined {
  const own = `${stage}-${both}` as FlagName;
  if (given(values, both) && given(values, own)) {
    problems.push(
      `--${own}: given with --${both}, which sets both stages. Fix: give --${both} for both, or --staging-${both} and --prod-${both}`,
    );
  }
  return single(values, own) ?? single(values, both);
}

/** The flags an answer needs, with how to give them. */
function required(flag: string, what: string, example: string): string {
  return `--${flag}: ${what} is required. Fix: --${flag} ${example}`;
}

/**
 * The answers the flags give, or every problem with them. `--reviewers` may be left out only
 * with `--prod-review-waiver`; which plans offer reviewers is the config pipeline's to say.
 */
export function answersFromFlags(values: FlagValues): {
  readonly answers?: InitAnswers;
  readonly problems: readonly string[];
} {
  const problems: string[] = [];
  const app = single(values, "app");
  const owner = single(values, "owner");
  if (!app) problems.push(required("app", "the app name", "shop"));
  if (!owner) problems.push(required("owner", "the GitHub owner of the app repository", "acme"));
  const services = (values.get("service") ?? []).flatMap((s) => parseService(s, problems) ?? []);
  if (!given(values, "service")) {
    problems.push(required("service", "at least one service", "backend:web:5000:/api/health"));
  }
  const secrets = (values.get("secret") ?? []).flatMap((s) => parseSecret(s, problems) ?? []);

  const stage = (name: StageName): StageAnswer | undefined => {
    const account = perStage(values, "account", name, problems);
    const region = perStage(values, "region", name, problems);
    if (!account) {
      problems.push(
        required(
          `${name}-account`,
          `the AWS account id of ${name}`,
          "111111111111 (or --account for both stages)",
        ),
      );
    }
    if (!region) {
      problems.push(
        required(
          `${name}-region`,
          `the AWS region of ${name}`,
          "eu-west-1 (or --region for both stages)",
        ),
      );
    }
    const subnets = splitList(single(values, `${name}-subnets`) ?? "");
    const securityGroups = splitList(single(values, `${name}-security-groups`) ?? "");
    if (subnets.length > 0 !== securityGroups.length > 0) {
      const missing = subnets.length > 0 ? `${name}-security-groups` : `${name}-subnets`;
      problems.push(
        `--${missing}: ${name} runs its services on ECS with both subnets and security groups. Fix: give --${missing} too, or neither`,
      );
    }
    return account && region ? { account, region, subnets, securityGroups } : undefined;
  };
  const staging = stage("staging");
  const prod = stage("prod");

  const prodOn = oneOf(
    "prod-on",
    single(values, "prod-on") ?? "push",
    ["push", "release"],
    problems,
  );
  const githubPlan = oneOf(
    "github-plan",
    single(values, "github-plan") ?? "team",
    GITHUB_PLANS,
    problems,
  );
  const visibility = oneOf(
    "visibility",
    single(values, "visibility") ?? "private",
    REPOSITORY_VISIBILITIES,
    problems,
  );
  const oidc = oneOf("oidc", single(values, "oidc") ?? "create", ["create", "existing"], problems);
  const reviewers = parseReviewers(single(values, "reviewers") ?? "", problems);
  const prodReviewWaiver = single(values, "prod-review-waiver");
  if (reviewers.users.length + reviewers.teams.length === 0 && !prodReviewWaiver) {
    problems.push(
      `--reviewers: prod needs at least one required reviewer, who approves every prod deploy. Fix: --reviewers team:SLUG or user:LOGIN (comma-separated); if the owner's plan offers no reviewers on this repository, --prod-review-waiver "REASON" instead`,
    );
  }
  if (
    problems.length > 0 ||
    !app ||
    !owner ||
    !staging ||
    !prod ||
    !prodOn ||
    !githubPlan ||
    !visibility ||
    !oidc
  ) {
    return { problems };
  }
  const branches = splitList(single(values, "staging-branches") ?? "main");
  const tags = splitList(single(values, "prod-tags") ?? "v*");
  return {
    problems,
    answers: {
      app,
      owner,
      repository: single(values, "repo") ?? app,
      services,
      secrets,
      stages: { staging, prod },
      stagingBranches: branches,
      prodTags: tags,
      prodOn,
      githubPlan,
      visibility,
      reviewers,
      prodReviewWaiver,
      oidc,
    },
  };
}
