/**
 * `npm run init -- --app NAME --owner OWNER --service ... [--help]`
 *
 * Writes `Pulumi.staging.yaml` and `Pulumi.prod.yaml` for a new app, from flags or, in a
 * terminal, from answers to what the flags leave out. Both files are validated together by the
 * program's config pipeline first: a refused config writes nothing. Existing stack files are
 * overwritten only with `--force`. Ends with the commands to run next.
 * Exit status: 0 written, 1 a stack file exists, 2 bad flags or values.
 */
import { existsSync, mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { createInterface } from "readline/promises";
import {
  GITHUB_PLANS,
  GithubPlan,
  REPOSITORY_VISIBILITIES,
  RepositoryVisibility,
  offers,
} from "../lib/githubPlans";
import { STAGES, StageName } from "../lib/naming";
import { PROJECT_DIR, siblingStacks } from "../stacks/stackFiles";
import type { Stage } from "../stacks/stage";
import {
  FLAGS,
  FlagName,
  FlagSpec,
  FlagValues,
  InitAnswers,
  answersFromFlags,
  helpText,
  parseFlags,
  parseSecret,
  parseService,
} from "./initFlags";
import { buildStackFiles, configSecretKeys, formatProblem, stackFileName } from "./initStacks";

/** Where the command reads and writes; `prompt` only when it may ask (stdin is a terminal). */
export interface InitIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly prompt?: (question: string) => Promise<string>;
}

/** The default an interactive run offers for a flag, from what was given or answered before. */
function defaultFor(flag: FlagName, values: FlagValues): string | undefined {
  const get = (f: FlagName) => values.get(f)?.[0];
  switch (flag) {
    case "repo":
      return get("app");
    case "prod-account":
      return get("staging-account");
    case "prod-region":
      return get("staging-region");
    case "staging-branches":
      return "main";
    case "prod-tags":
      return "v*";
    case "prod-on":
      return "push";
    case "github-plan":
      return "team";
    case "visibility":
      return "private";
    case "oidc":
      return "create";
    default:
      return undefined;
  }
}

/** Whether an interactive run asks for the flag, given what is known so far. */
function asks(flag: FlagName, values: FlagValues): boolean {
  const has = (f: FlagName) => values.has(f);
  if (has(flag)) return false;
  if (flag === "staging-account" || flag === "prod-account") return !has("account");
  if (flag === "staging-region" || flag === "prod-region") return !has("region");
  if (flag === "staging-security-groups") return has("staging-subnets");
  if (flag === "prod-security-groups") return has("prod-subnets");
  if (flag === "reviewers") return !has("prod-review-waiver") && reviewersOffered(values);
  return true;
}

/**
 * Whether the owner's plan offers required reviewers on the repository (`lib/githubPlans.ts`);
 * an unknown plan or visibility is reported with the other problems, so it is asked as offered.
 */
function reviewersOffered(values: FlagValues): boolean {
  const plan = values.get("github-plan")?.[0] ?? "team";
  const visibility = values.get("visibility")?.[0] ?? "private";
  const known =
    (GITHUB_PLANS as readonly string[]).includes(plan) &&
    (REPOSITORY_VISIBILITIES as readonly string[]).includes(visibility);
  return (
    !known || offers(plan as GithubPlan, visibility as RepositoryVisibility, "protectionRules")
  );
}

/** The shape problems of one answer, as the flag's own parser reports them. */
function answerProblems(flag: FlagName, answer: string): string[] {
  const problems: string[] = [];
  if (flag === "service") parseService(answer, problems);
  if (flag === "secret") parseSecret(answer, problems);
  return problems;
}

/**
 * Asks for every flag the command line left out, in the order of the flag table: a flag given
 * more than once is asked until the answer is empty; an empty answer takes the default shown.
 */
async function ask(
  values: FlagValues,
  prompt: (q: string) => Promise<string>,
  err: (t: string) => void,
): Promise<FlagValues> {
  const answers = new Map(values);
  for (const f of FLAGS) {
    const spec: FlagSpec = f;
    if (!spec.question || !asks(f.name, answers)) continue;
    const fallback = defaultFor(f.name, answers);
    const list: string[] = [];
    for (;;) {
      const text = (await prompt(`${spec.question}${fallback ? ` [${fallback}]` : ""}: `)).trim();
      const answer = text || fallback || "";
      if (!answer) {
        if (spec.multiple || f.name.endsWith("subnets")) break;
        if (f.name === "reviewers") {
          err("Prod needs at least one required reviewer (team:SLUG or user:LOGIN).\n");
          continue;
        }
        break;
      }
      const problems = answerProblems(f.name, answer);
      if (problems.length > 0) {
        err(`${problems.join("\n")}\n`);
        continue;
      }
      list.push(answer);
      if (!spec.multiple) break;
    }
    if (list.length > 0) answers.set(f.name, list);
  }
  if (!answers.has("reviewers") && !answers.has("prod-review-waiver")) {
    // The plan offers no reviewers on this repository: prod is deployed without, for a reason.
    const reason = (
      await prompt(
        "The owner's plan offers no required reviewers on this repository. Why may prod deploy without review (a sentence; empty to stop)? ",
      )
    ).trim();
    if (reason) answers.set("prod-review-waiver", [reason]);
  }
  return answers;
}

/** The commands to run next, in an order that works. */
export function nextSteps(
  a: InitAnswers,
  dir: string,
  stages: Partial<Record<StageName, Stage>>,
): string[] {
  const inProject = path.resolve(dir) === path.resolve(PROJECT_DIR);
  const secrets = configSecretKeys(a);
  const lines: string[] = ["Next:"];
  if (!inProject) {
    lines.push(
      `  # Pulumi reads the stack files beside Pulumi.yaml: move them to ${PROJECT_DIR} before the pulumi commands.`,
    );
  }
  const plan = (stage: StageName) =>
    `  npm run plan -- --stack ${stage}${inProject ? "" : ` --config ${path.join(dir, stackFileName(stage))}`} --account-id ${a.stages[stage].account}`;
  if (secrets.length > 0) {
    // `pulumi config set --secret` encrypts with the stack's key: the stacks must exist first,
    // and the offline plan refuses a config-sourced secret without its value.
    lines.push("  pulumi stack init staging", "  pulumi stack init prod");
    for (const stage of STAGES) {
      for (const key of secrets) {
        lines.push(`  pulumi config set --secret ${key} '<value>' --stack ${stage}`);
      }
    }
    lines.push(...STAGES.map(plan));
  } else {
    lines.push(...STAGES.map(plan), "  pulumi stack init staging", "  pulumi stack init prod");
  }
  lines.push("  pulumi up --stack staging", "  pulumi up --stack prod");
  const external = STAGES.flatMap((stage) =>
    (stages[stage]?.secrets ?? [])
      .filter((s) => s.source.kind === "external")
      .map(
        (s) =>
          `  aws secretsmanager put-secret-value --secret-id ${s.name} --secret-string '<value>'`,
      ),
  );
  if (external.length > 0) {
    lines.push(
      "  # then set the external secrets' values (the stack never overwrites them):",
      ...external,
    );
  }
  return lines;
}

/** The command. Returns the exit status. */
export async function runInit(argv: readonly string[], io: InitIo): Promise<number> {
  const parsed = parseFlags(argv);
  if (parsed.values.has("help")) {
    io.out(`${helpText()}\n`);
    return 0;
  }
  // A relative --dir is where the user typed the command (npm runs scripts in the project).
  const dir = path.resolve(
    process.env.INIT_CWD ?? process.cwd(),
    parsed.values.get("dir")?.[0] ?? PROJECT_DIR,
  );
  const force = parsed.values.has("force");
  const existing = STAGES.map((s) => path.join(dir, stackFileName(s))).filter((f) => existsSync(f));
  const exists = force
    ? []
    : existing.map(
        (f) =>
          `${f}: exists, and init never overwrites a stack file. Fix: move it away, pass --force, or --dir DIR`,
      );
  // Asked only for what a complete command line would give, and nothing while the command line
  // itself is wrong or the files could not be written.
  const complete = answersFromFlags(parsed.values).answers !== undefined;
  const values =
    io.prompt && !complete && parsed.problems.length === 0 && exists.length === 0
      ? await ask(parsed.values, io.prompt, io.err)
      : parsed.values;
  const fromFlags = answersFromFlags(values);
  const answers = fromFlags.answers;
  // With the answers complete, the files are validated too, so every problem is told at once.
  const others = siblingStacks(dir, "").filter(
    (s) => !(STAGES as readonly string[]).includes(s.stack),
  );
  const result = answers ? buildStackFiles(answers, dir, others) : undefined;
  const problems = [
    ...parsed.problems,
    ...fromFlags.problems,
    ...(result?.problems ?? []).map(formatProblem),
  ];
  if (problems.length > 0 || !answers || !result || exists.length > 0) {
    const all = [...problems, ...exists];
    io.err(
      `init: ${all.length} problem${all.length === 1 ? "" : "s"}; nothing was written:\n${all.map((p) => `  - ${p}`).join("\n")}\n`,
    );
    return problems.length > 0 ? 2 : 1;
  }
  mkdirSync(dir, { recursive: true });
  for (const stage of STAGES) writeFileSync(result.files[stage].path, result.files[stage].text);
  io.out(
    [
      `Wrote ${STAGES.map((s) => result.files[s].path).join(" and ")}.`,
      ...(result.stages.prod?.warnings ?? []).map((w) => `WARNING: ${w}`),
      "",
      ...nextSteps(answers, dir, result.stages),
      "",
    ].join("\n"),
  );
  return 0;
}

if (require.main === module) {
  const interactive = process.stdin.isTTY === true;
  const rl = interactive
    ? createInterface({ input: process.stdin, output: process.stdout })
    : undefined;
  runInit(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    prompt: rl ? (q) => rl.question(q) : undefined,
  }).then(
    (status) => {
      rl?.close();
      process.exitCode = status;
    },
    (err: unknown) => {
      rl?.close();
      process.stderr.write(
        `init failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 3;
    },
  );
}
