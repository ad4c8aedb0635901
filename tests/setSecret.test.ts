/**
 * `npm run secret`: sets an external secret with the AWS CLI and restarts exactly the services
 * that read it. Run as users run it, with an `aws` on PATH that records each call's arguments and
 * standard input and answers like the CLI.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { runSetSecret } from "../scripts/set-secret";
import { PROJECT_DIR } from "../stacks/stackFiles";

const ROOT = PROJECT_DIR;
const VALUE = "sk-live-0123456789abcdef";

interface Call {
  readonly args: string[];
  readonly stdin: string;
}
interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: Call[];
}

/** A stack file: the shipped one with `delivery:*` keys replaced. */
function stackFile(stack: string, changes: Record<string, unknown> = {}): string {
  const doc = parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  Object.assign(doc.config, changes);
  const file = path.join(mkdtempSync(path.join(tmpdir(), "stack-")), `Pulumi.${stack}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

/**
 * Runs the command with the value on standard input (as `npm run secret` does with `process`,
 * else in this process); the fake CLI's credentials are of account `account`.
 */
function setSecret(
  args: string[],
  opts: { input?: string; account?: string; process?: boolean } = {},
): Run {
  const dir = mkdtempSync(path.join(tmpdir(), "aws-"));
  writeFileSync(
    path.join(dir, "aws"),
    `#!/usr/bin/env bash
n=$(find "${dir}" -name 'call-*.args' | wc -l)
printf '%s\\n' "$@" > "${dir}/call-$n.args"
cat > "${dir}/call-$n.stdin"
case "$1 $2" in
  "sts get-caller-identity") echo "${opts.account ?? "123456789012"}" ;;
  "secretsmanager put-secret-value") echo "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" ;;
  "ecs update-service") echo "$8" ;;
esac
`,
  );
  chmodSync(path.join(dir, "aws"), 0o755);
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` };
  const input = opts.input ?? `${VALUE}\n`;
  let run: { status: number | null; stdout: string; stderr: string };
  if (opts.process) {
    // As `npm run secret` runs it: the compiled script, the build checked first.
    run = spawnSync(
      process.execPath,
      ["-r", "./scripts/build.js", "build/scripts/set-secret.js", ...args],
      {
        cwd: ROOT,
        input,
        encoding: "utf8",
        env,
      },
    );
  } else {
    let stdout = "";
    let stderr = "";
    const status = runSetSecret(args, {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      stdin: () => input,
      env,
    });
    run = { status, stdout, stderr };
  }
  const calls = readdirSync(dir)
    .filter((f) => f.endsWith(".args"))
    .sort((a, b) => parseInt(a.slice(5), 10) - parseInt(b.slice(5), 10))
    .map((f) => ({
      args: readFileSync(path.join(dir, f), "utf8").trimEnd().split("\n"),
      stdin: existsSync(path.join(dir, f.replace(".args", ".stdin")))
        ? readFileSync(path.join(dir, f.replace(".args", ".stdin")), "utf8")
        : "",
    }));
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls };
}

const IDENTITY = ["sts", "get-caller-identity", "--query", "Account", "--output", "text"];
const put = (secretId: string) => [
  "secretsmanager",
  "put-secret-value",
  "--region",
  "eu-west-1",
  "--secret-id",
  secretId,
  "--secret-string",
  "file:///dev/stdin",
  "--query",
  "VersionId",
  "--output",
  "text",
];
const restart = (cluster: string, service: string) => [
  "ecs",
  "update-service",
  "--region",
  "eu-west-1",
  "--cluster",
  cluster,
  "--service",
  service,
  "--force-new-deployment",
  "--query",
  "service.serviceName",
  "--output",
  "text",
];

describe("npm run secret", () => {
  it("sets the value from standard input and restarts the one service that reads it", () => {
    const run = setSecret(["--stack", "staging", "--secret", "openai-key"], { process: true });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(
      run.calls.map((c) => c.args),
      [IDENTITY, put("shop/staging/openai-key"), restart("shop-staging", "shop-staging-backend")],
    );
    assert.equal(run.calls[1].stdin, VALUE, "the value, without its trailing newline");
    for (const c of run.calls) assert.ok(!c.args.join(" ").includes(VALUE), "never in argv");
    assert.ok(!run.stdout.includes(VALUE) && !run.stderr.includes(VALUE), "never printed");
    assert.match(run.stdout, /started new tasks of shop-staging-backend \(service backend\)/);
  });

  it("restarts exactly the services that read the secret, in their stack's cluster", () => {
    const shipped = parse(readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
      config: Record<string, Record<string, Record<string, unknown>>>;
    };
    const services = shipped.config["delivery:services"];
    const file = stackFile("prod", {
      "delivery:services": {
        ...services,
        frontend: { ...services.frontend, secrets: { STRIPE_KEY: "stripe-key" } },
      },
      "delivery:secrets": {
        ...shipped.config["delivery:secrets"],
        "stripe-key": { source: "external" },
      },
    });
    const stripe = setSecret(["--stack", "prod", "--config", file, "--secret", "stripe-key"]);
    assert.equal(stripe.status, 0, stripe.stderr);
    assert.deepEqual(
      stripe.calls.map((c) => c.args),
      [IDENTITY, put("shop/prod/stripe-key"), restart("shop-prod", "shop-prod-frontend")],
    );
    const openai = setSecret(["--stack", "prod", "--config", file, "--secret", "openai-key"]);
    assert.deepEqual(
      openai.calls.slice(2).map((c) => c.args),
      [restart("shop-prod", "shop-prod-backend")],
    );
  });

  it("reads the value from --file", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "value-")), "openai");
    writeFileSync(file, "from-a-file\n");
    const run = setSecret(["--stack", "staging", "--secret", "openai-key", "--file", file], {
      input: "",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.calls[1].stdin, "from-a-file");
  });

  it("refuses secrets Pulumi writes (generated, from config): the next pulumi up would overwrite them", () => {
    for (const [key, source] of [
      ["jwt-secret", "generated"],
      ["database-url", "config"],
    ]) {
      const run = setSecret(["--stack", "staging", "--secret", key]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, new RegExp(`delivery:secrets.${key} has source "${source}"`));
      assert.deepEqual(run.calls, [], "no AWS call");
    }
  });

  it("refuses an unknown secret, listing the stack's secrets", () => {
    const run = setSecret(["--stack", "staging", "--secret", "openai"]);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /no secret "openai" in stack staging; its secrets are: database-url, jwt-secret, openai-key/,
    );
    assert.deepEqual(run.calls, []);
  });

  it("sets nothing with credentials of another account, or an empty value", () => {
    const other = setSecret(["--stack", "staging", "--secret", "openai-key"], {
      account: "999999999999",
    });
    assert.equal(other.status, 1);
    assert.match(other.stderr, /account 999999999999, but stack staging runs only in 123456789012/);
    assert.deepEqual(
      other.calls.map((c) => c.args),
      [IDENTITY],
    );
    const empty = setSecret(["--stack", "staging", "--secret", "openai-key"], { input: "\n" });
    assert.equal(empty.status, 1);
    assert.deepEqual(empty.calls, []);
  });

  it("takes no value on the command line", () => {
    const run = setSecret(["--stack", "staging", "--secret", "openai-key", "--value", VALUE]);
    assert.equal(run.status, 2);
    assert.deepEqual(run.calls, []);
  });
});
