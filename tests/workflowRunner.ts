/**
 * Runs the credential steps of a generated deploy job the way a GitHub runner would, so tests
 * check what the job does rather than how its YAML reads. It evaluates the expressions the
 * generated workflows use (and refuses any other), runs `run:` steps with bash, composes each
 * step's environment as GitHub does (the job's `env`, then what earlier steps wrote to
 * `$GITHUB_ENV`, then the step's own `env`, which wins), and stands in for
 * aws-actions/configure-aws-credentials with what its source does: `core.exportVariable` of
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and `AWS_REGION` (session
 * token set to "" for access keys). The `aws` CLI is a stub whose STS, like AWS's, accepts only a
 * key id with its own secret.
 */
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { CREDENTIAL_CHECK_PATH } from "../lib/workflows";
import { CREDENTIAL_CHECK_SOURCE } from "../lib/appRepoFiles";

/** One step of a job, as the YAML has it. */
export interface JobStep {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, unknown>>;
}

/** The world the job runs in. */
export interface RunnerWorld {
  /** The environment's secrets and variables, as GitHub hands them to the job. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly vars: Readonly<Record<string, string>>;
  /** Credentials STS knows: key id → secret (and session token, for role sessions). */
  readonly identities: readonly {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
    readonly arn: string;
  }[];
  /** What AssumeRoleWithWebIdentity returns for a role ARN (the job may request a token). */
  readonly roleSessions: Readonly<
    Record<string, { accessKeyId: string; secretAccessKey: string; sessionToken: string }>
  >;
}

/** What happened to one step. */
export interface StepResult {
  readonly name: string;
  readonly outcome: "success" | "failure" | "skipped";
  readonly output: string;
}

/** The steps run, and every AWS CLI call made. */
export interface JobResult {
  readonly steps: readonly StepResult[];
  readonly awsCalls: readonly string[];
}

/** What expressions read: the environment's secrets and variables, earlier steps' outputs. */
export interface ExpressionContext {
  readonly secrets: Readonly<Record<string, string>>;
  readonly vars: Readonly<Record<string, string>>;
  readonly steps: Readonly<Record<string, Record<string, string>>>;
}

/** Evaluates one `${{ }}` expression of the forms the generated workflows use. */
function evaluate(expression: string, context: ExpressionContext): string | boolean {
  const e = expression.trim();
  const comparison = /^(.+?)\s*(==|!=)\s*'([^']*)'$/.exec(e);
  if (comparison) {
    const left = String(evaluate(comparison[1], context));
    return comparison[2] === "==" ? left === comparison[3] : left !== comparison[3];
  }
  let m = /^(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(e);
  if (m) return (m[1] === "secrets" ? context.secrets : context.vars)[m[2]] ?? "";
  m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
  if (m) return context.steps[m[1]]?.[m[2]] ?? "";
  m = /^fromJSON\(vars\.(\w+)\)\['([\w-]+)'\]\.(\w+)$/.exec(e);
  if (m) {
    const json = JSON.parse(context.vars[m[1]] ?? "{}") as Record<string, Record<string, string>>;
    return json[m[2]]?.[m[3]] ?? "";
  }
  if (e === "github.run_id") return "4242";
  if (e === "github.sha") return "0123456789abcdef0123456789abcdef01234567";
  throw new Error(`the test runner does not evaluate \${{ ${e} }}`);
}

/** Replaces every `${{ }}` in a value. */
export function interpolate(value: unknown, context: ExpressionContext): string {
  return String(value).replace(/\$\{\{(.+?)\}\}/g, (_, e: string) => String(evaluate(e, context)));
}

/** Key=value lines of a `$GITHUB_OUTPUT` or `$GITHUB_ENV` file. */
function keyValues(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/**
 * Runs a job's steps up to and including `until` (by name), stopping at the first failure. A
 * `uses:` step other than configure-aws-credentials is outside what this runner models.
 */
export function runJobSteps(
  job: { readonly env?: Readonly<Record<string, unknown>>; readonly steps: readonly JobStep[] },
  world: RunnerWorld,
  until: string,
): JobResult {
  const dir = mkdtempSync(path.join(tmpdir(), "runner-"));
  const awsLog = path.join(dir, "aws.log");
  // The repository as checked out: the credential check where the workflow calls it.
  const workspace = path.join(dir, "workspace");
  spawnSync("mkdir", ["-p", path.join(workspace, path.dirname(CREDENTIAL_CHECK_PATH))]);
  writeFileSync(
    path.join(workspace, CREDENTIAL_CHECK_PATH),
    readFileSync(CREDENTIAL_CHECK_SOURCE, "utf8"),
  );
  // One identity a line: key id, secret, session token ("-" for none), ARN.
  const identities = path.join(dir, "identities");
  writeFileSync(
    identities,
    world.identities
      .map((i) => `${i.accessKeyId} ${i.secretAccessKey} ${i.sessionToken ?? "-"} ${i.arn}\n`)
      .join(""),
  );
  const stub = path.join(dir, "bin", "aws");
  spawnSync("mkdir", ["-p", path.dirname(stub)]);
  writeFileSync(
    stub,
    `#!/usr/bin/env bash
echo "$*" >> ${JSON.stringify(awsLog)}
while read -r key secret token arn; do
  if [ "$key" = "\${AWS_ACCESS_KEY_ID:-}" ] && [ "$secret" = "\${AWS_SECRET_ACCESS_KEY:-}" ] && [ "$token" = "\${AWS_SESSION_TOKEN:--}" ]; then
    if [ "$1 $2" = "sts get-caller-identity" ]; then echo "$arn"; fi
    exit 0
  fi
done < ${JSON.stringify(identities)}
echo "An error occurred (InvalidClientTokenId) when calling the $1 operation: The security token included in the request is invalid." >&2
exit 254
`,
  );
  chmodSync(stub, 0o755);

  const outputs: Record<string, Record<string, string>> = {};
  const context = () => ({ secrets: world.secrets, vars: world.vars, steps: outputs });
  const githubEnv: Record<string, string> = {};
  const results: StepResult[] = [];
  const jobEnv = Object.fromEntries(
    Object.entries(job.env ?? {}).map(([k, v]) => [k, interpolate(v, context())]),
  );
  for (const step of job.steps) {
    const name = step.name ?? step.uses ?? "step";
    const runs = step.if === undefined || evaluate(step.if, context()) === true;
    if (!runs) {
      results.push({ name, outcome: "skipped", output: "" });
    } else if (step.uses?.startsWith("actions/checkout@")) {
      results.push({ name, outcome: "success", output: "" });
    } else if (step.uses?.startsWith("aws-actions/configure-aws-credentials@")) {
      const input = (k: string) =>
        step.with?.[k] === undefined ? "" : interpolate(step.with[k], context());
      const keyId = input("aws-access-key-id");
      const session = keyId === "" ? world.roleSessions[input("role-to-assume")] : undefined;
      if (keyId === "" && !session) {
        results.push({ name, outcome: "failure", output: "Could not assume role" });
        break;
      }
      Object.assign(githubEnv, {
        AWS_REGION: input("aws-region"),
        AWS_DEFAULT_REGION: input("aws-region"),
        AWS_ACCESS_KEY_ID: session?.accessKeyId ?? keyId,
        AWS_SECRET_ACCESS_KEY: session?.secretAccessKey ?? input("aws-secret-access-key"),
        AWS_SESSION_TOKEN: session?.sessionToken ?? "",
      });
      results.push({ name, outcome: "success", output: "" });
    } else if (step.run !== undefined) {
      const outputFile = path.join(dir, `output-${results.length}`);
      const envFile = path.join(dir, `env-${results.length}`);
      const stepEnv = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, context())]),
      );
      const run = spawnSync("bash", ["-e", "-c", interpolate(step.run, context())], {
        // Not a pipe on stdin: bash would take a socket for a remote shell and read ~/.bashrc.
        stdio: ["ignore", "pipe", "pipe"],
        cwd: workspace,
        encoding: "utf8",
        env: {
          PATH: `${path.dirname(stub)}:${process.env.PATH ?? ""}`,
          ...jobEnv,
          ...githubEnv,
          ...stepEnv,
          GITHUB_OUTPUT: outputFile,
          GITHUB_ENV: envFile,
        },
      });
      if (step.id) outputs[step.id] = keyValues(outputFile);
      Object.assign(githubEnv, keyValues(envFile));
      results.push({
        name,
        outcome: run.status === 0 ? "success" : "failure",
        output: `${run.stdout}${run.stderr}`,
      });
      if (run.status !== 0) break;
    } else {
      throw new Error(`the test runner does not model step "${name}" (${String(step.uses)})`);
    }
    if (name === until) break;
  }
  return {
    steps: results,
    awsCalls: existsSync(awsLog) ? readFileSync(awsLog, "utf8").trim().split("\n") : [],
  };
}
