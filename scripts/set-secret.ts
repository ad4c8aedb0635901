/**
 * `npm run --silent secret -- --stack NAME --secret KEY [--file FILE] [--config FILE]`
 *
 * Sets the value of an external secret (`delivery:secrets.<KEY>.source: external`) of one stack
 * with the AWS CLI, then starts new tasks of exactly the stage's ECS services that read it, so
 * they pick the value up. The value comes from FILE or from standard input, never from the
 * command line (which lands in shell history and `ps`); one trailing newline is dropped. Names
 * come from the stack's config through the program's own stage (`stacks/secretTargets.ts`).
 * Exit status: 0 set (and services restarted), 1 refused, 2 usage error, 3 an AWS call failed.
 */
import { spawnSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { parseArgs } from "util";
import { ConfigError, loadStage } from "../stacks/load";
import { secretTargets } from "../stacks/secretTargets";
import { readStack, stackFilePath } from "../stacks/stackFiles";

const USAGE =
  "usage: npm run --silent secret -- --stack NAME --secret KEY [--file FILE] [--config FILE] < value";

/** Where the command reads and writes. */
export interface SecretIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The value when no --file is given; undefined when standard input is a terminal. */
  readonly stdin: () => string | undefined;
  /** The environment the AWS CLI runs with (its PATH, profile and credentials). */
  readonly env: NodeJS.ProcessEnv;
}

/** Runs `aws` with these arguments (and this standard input): its output, or undefined when it failed. */
function aws(args: readonly string[], io: SecretIo, input?: string): string | undefined {
  const run = spawnSync("aws", args, {
    input: input ?? "",
    env: io.env,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (run.status !== 0) {
    io.err(
      `aws ${args.slice(0, 2).join(" ")} failed: ${(run.stderr || String(run.error)).trim()}\n`,
    );
    return undefined;
  }
  return run.stdout;
}

/** The command; returns its exit status. */
export function runSetSecret(argv: readonly string[], io: SecretIo): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        secret: { type: "string" },
        file: { type: "string" },
        config: { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!values.stack || !values.secret) {
    io.err(`--stack and --secret are required\n${USAGE}\n`);
    return 2;
  }
  const file = stackFilePath(values.stack, values.config);
  if (!existsSync(file)) {
    io.err(`no config file ${file}\n${USAGE}\n`);
    return 2;
  }
  let targets;
  try {
    targets = secretTargets(loadStage(readStack(values.stack, values.config)), values.secret);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if ("problem" in targets) {
    io.err(`${targets.problem}\n`);
    return 1;
  }
  const raw = values.file ? readFileSync(values.file, "utf8") : io.stdin();
  if (raw === undefined) {
    io.err(`standard input is a terminal: pipe the value in or pass --file FILE\n${USAGE}\n`);
    return 2;
  }
  const value = raw.replace(/\r?\n$/, "");
  if (value === "") {
    io.err("the value is empty; nothing was set\n");
    return 1;
  }
  const region = ["--region", targets.region];
  const account = aws(["sts", "get-caller-identity", "--query", "Account", "--output", "text"], io);
  if (account === undefined) return 3;
  const allowed = targets.allowedAccountIds;
  if (allowed && !allowed.includes(account.trim())) {
    io.err(
      `the AWS credentials are for account ${account.trim()}, but stack ${values.stack} runs only in ${allowed.join(", ")}; nothing was set\n`,
    );
    return 1;
  }
  // The value goes on standard input (file:///dev/stdin), never into the arguments.
  const put = [
    "secretsmanager",
    "put-secret-value",
    ...region,
    "--secret-id",
    targets.secretId,
    "--secret-string",
    "file:///dev/stdin",
    "--query",
    "VersionId",
    "--output",
    "text",
  ];
  const version = aws(put, io, value);
  if (version === undefined) return 3;
  io.out(`set ${targets.secretId} (version ${version.trim()})\n`);
  let failed = 0;
  for (const svc of targets.services) {
    const restarted = aws(
      [
        "ecs",
        "update-service",
        ...region,
        "--cluster",
        targets.cluster ?? "",
        "--service",
        svc.name,
        "--force-new-deployment",
        "--query",
        "service.serviceName",
        "--output",
        "text",
      ],
      io,
    );
    if (restarted === undefined) failed++;
    else io.out(`started new tasks of ${svc.name} (service ${svc.key})\n`);
  }
  for (const key of targets.unplaced) {
    io.out(
      `service ${key} reads it but runs no ECS service in this stack: its next task reads it\n`,
    );
  }
  if (targets.services.length === 0 && targets.unplaced.length === 0) {
    io.out("no service reads it\n");
  }
  return failed > 0 ? 3 : 0;
}

if (require.main === module) {
  process.exitCode = runSetSecret(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdin: () => (process.stdin.isTTY ? undefined : readFileSync(0, "utf8")),
    env: process.env,
  });
}
