/**
 * `npm run init`: the stack files it writes for a new app plan cleanly as written, with what a
 * careful user wants (reviewed prod, the account guard, one OIDC provider per account), and bad
 * input writes nothing.
 */
import { strict as assert } from "assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { runInit } from "../scripts/init";
import { runPlanCommand } from "../scripts/plan";
import { stackFileValidator } from "./stackSchema";

interface Result {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs init in this process, answering its questions from `answers` when given. */
async function init(args: readonly string[], answers?: readonly string[]): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const queue = [...(answers ?? [])];
  const status = await runInit(args, {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    prompt: answers
      ? (question) => {
          const answer = queue.shift();
          if (answer === undefined) throw new Error(`unexpected question: ${question}`);
          return Promise.resolve(answer);
        }
      : undefined,
  });
  if (answers) assert.deepEqual(queue, [], "every scripted answer was asked for");
  return { status, stdout, stderr };
}

/** A plan of a written file, as `npm run plan -- --config FILE --json OUT` writes it. */
interface PlanJson {
  readonly resources: readonly {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
  }[];
  readonly reads: readonly { readonly token: string }[];
  readonly violations: readonly unknown[];
}

/** Plans a written stack file offline, in the account it names; fails unless it plans cleanly. */
async function planFile(
  dir: string,
  stack: "staging" | "prod",
  account: string,
): Promise<{ text: string; doc: PlanJson }> {
  const json = path.join(dir, `${stack}.plan.json`);
  let text = "";
  let stderr = "";
  const status = await runPlanCommand(
    [
      "--stack",
      stack,
      "--config",
      path.join(dir, `Pulumi.${stack}.yaml`),
      "--account-id",
      account,
      "--json",
      json,
    ],
    { out: (t) => (text += t), err: (t) => (stderr += t) },
  );
  assert.equal(status, 0, `${stack}: ${stderr}${text}`);
  assert.match(text, /Policy pack \(policy\/\): no violations\./);
  return { text, doc: JSON.parse(readFileSync(json, "utf8")) as PlanJson };
}

const tempDir = () => mkdtempSync(path.join(tmpdir(), "init-"));

/** The stack file's config map, as YAML reads it. */
function configOf(dir: string, stack: string): Record<string, unknown> {
  const doc = parse(readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  return doc.config;
}

/** The container definitions of a task definition of the plan, by its logical name. */
function containers(doc: PlanJson, name: string): Record<string, unknown>[] {
  const td = doc.resources.find(
    (r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.name === name,
  );
  assert.ok(td, `no task definition ${name}`);
  return JSON.parse(String(td.inputs.containerDefinitions)) as Record<string, unknown>[];
}

const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

/** An app unlike the shipped example: three services, one a worker, two runtime secrets. */
const ORDERS = [
  "--app",
  "orders",
  "--owner",
  "globex",
  "--repo",
  "orders-app",
  "--service",
  "api:web:8080:/healthz",
  "--service",
  "admin:web:3000:/",
  "--service",
  "jobs:worker",
  "--secret",
  "database-url:config:api,jobs",
  "--secret",
  "queue-token:external:jobs",
  "--staging-account",
  "111111111111",
  "--prod-account",
  "222222222222",
  "--region",
  "eu-central-1",
  "--github-plan",
  "enterprise",
  "--reviewers",
  "team:platform,user:alice",
  "--staging-subnets",
  "subnet-0a1b2c3d4e5f60718",
  "--staging-security-groups",
  "sg-0c1d2e3f4a5b60710",
  "--prod-subnets",
  "subnet-0d1e2f3a4b5c60711",
  "--prod-security-groups",
  "sg-0f1a2b3c4d5e60713",
];

/** What `pulumi config set --secret delivery:databaseUrl ... --stack S` adds to a stack file. */
function setSecret(dir: string, stack: string): void {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  writeFileSync(
    file,
    `${readFileSync(file, "utf8")}  delivery:databaseUrl:\n    secure: AAABAHNvbWUtZW5jcnlwdGVkLXZhbHVl\n`,
  );
}

describe("npm run init", () => {
  it("writes stack files for a three-service app in two accounts that plan cleanly as written", async () => {
    const dir = tempDir();
    const result = await init([...ORDERS, "--dir", dir]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ["Pulumi.prod.yaml", "Pulumi.staging.yaml"]);
    for (const stack of ["staging", "prod"]) setSecret(dir, stack);

    const staging = await planFile(dir, "staging", "111111111111");
    const prod = await planFile(dir, "prod", "222222222222");
    for (const { doc } of [staging, prod]) {
      // Its own account: each stack creates the provider there.
      assert.equal(doc.resources.filter((r) => r.type === OIDC_PROVIDER).length, 1);
    }
    const worker = containers(prod.doc, "orders-jobs-task-definition")[0];
    assert.deepEqual(worker.portMappings, [], "a worker listens on no port");
    assert.equal(worker.healthCheck, undefined, "and has no HTTP health check");
    assert.deepEqual((worker.secrets as { name: string }[]).map((s) => s.name).sort(), [
      "DATABASE_URL",
      "QUEUE_TOKEN",
    ]);
    const api = containers(prod.doc, "orders-api-task-definition")[0];
    assert.deepEqual(api.portMappings, [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]);
    assert.match(JSON.stringify(api.healthCheck), /http:\/\/localhost:8080\/healthz/);
    assert.equal(
      prod.doc.resources.filter((r) => r.type === "aws:ecs/service:Service").length,
      3,
      "prod runs the three services",
    );

    const env = prod.doc.resources.find(
      (r) => r.type === "github:index/repositoryEnvironment:RepositoryEnvironment",
    );
    assert.equal(env?.inputs.environment, "production");
    assert.equal(env?.inputs.preventSelfReview, true);
    assert.equal(env?.inputs.canAdminsBypass, false);
    assert.match(
      prod.text,
      /reviewers: user alice, team platform; no self-review; no admin bypass/,
    );
    assert.match(prod.text, /only from tag v\*/);
    assert.match(staging.text, /only from branch main;/);

    const prodConfig = configOf(dir, "prod");
    assert.deepEqual(prodConfig["aws:allowedAccountIds"], ["222222222222"]);
    assert.deepEqual(configOf(dir, "staging")["aws:allowedAccountIds"], ["111111111111"]);

    // The values `source: config` needs come next, before the plan can run.
    assert.match(
      result.stdout,
      /pulumi config set --secret delivery:databaseUrl '<value>' --stack staging\n {2}pulumi config set --secret delivery:databaseUrl '<value>' --stack prod\n/,
    );
    assert.match(
      result.stdout,
      /npm run plan -- --stack prod --config \S+Pulumi\.prod\.yaml --account-id 222222222222/,
    );
    assert.match(result.stdout, /pulumi up --stack staging/);
    assert.match(
      result.stdout,
      /aws secretsmanager put-secret-value --secret-id orders\/prod\/queue-token/,
    );
  });

  it("lets exactly one stack create the OIDC provider when both stages share an account", async () => {
    const dir = tempDir();
    const result = await init([
      "--app",
      "pay",
      "--owner",
      "initech",
      "--service",
      "web:web:8080:/",
      "--service",
      "jobs:worker",
      "--account",
      "123456789012",
      "--region",
      "us-east-1",
      "--staging-branches",
      "main,develop",
      "--prod-tags",
      "pay-v*",
      "--prod-on",
      "release",
      "--visibility",
      "public",
      "--reviewers",
      "user:bob",
      "--dir",
      dir,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /pulumi config set/, "no config-sourced secret declared");
    assert.deepEqual(configOf(dir, "staging")["delivery:oidc"], { mode: "create" });
    assert.deepEqual(configOf(dir, "prod")["delivery:oidc"], { mode: "existing" });

    const staging = await planFile(dir, "staging", "123456789012");
    const prod = await planFile(dir, "prod", "123456789012");
    assert.equal(staging.doc.resources.filter((r) => r.type === OIDC_PROVIDER).length, 1);
    assert.equal(prod.doc.resources.filter((r) => r.type === OIDC_PROVIDER).length, 0);
    assert.ok(
      prod.doc.reads.some(
        (r) => r.token === "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
      ),
      "prod looks the provider up",
    );
    assert.match(staging.text, /only from branch main, branch develop/);
    assert.match(prod.text, /only from tag pay-v\*; reviewers: user bob/);
    assert.deepEqual(
      (configOf(dir, "prod")["delivery:github"] as Record<string, unknown>).deployEvents,
      ["release"],
    );
    // Without a network, the stage has task definitions but runs no ECS service.
    assert.equal(prod.doc.resources.filter((r) => r.type === "aws:ecs/service:Service").length, 0);
    assert.deepEqual(containers(prod.doc, "pay-jobs-task-definition")[0].portMappings, []);
  });

  it("validates the files with the other stack files of the directory, as pulumi up sees them", async () => {
    const dir = tempDir();
    // Another stack of the project already creates the provider in staging's account.
    writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      [
        "config:",
        "  delivery:stage: staging",
        '  aws:allowedAccountIds: ["111111111111"]',
        "  delivery:oidc:",
        "    mode: create",
        "",
      ].join("\n"),
    );
    const result = await init([...ORDERS, "--dir", dir]);
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /--oidc: stack dev also creates the GitHub OIDC provider in account 111111111111.*\(delivery:oidc\.mode in Pulumi\.staging\.yaml\)/,
    );
    assert.deepEqual(readdirSync(dir), ["Pulumi.dev.yaml"]);
  });

  it("opens each file with the schema modeline, is valid by the schema, and explains the keys", async () => {
    const dir = tempDir();
    assert.equal((await init([...ORDERS, "--dir", dir])).status, 0);
    const validate = stackFileValidator();
    for (const stack of ["staging", "prod"]) {
      const text = readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8");
      assert.ok(validate(parse(text)), `${stack}: ${JSON.stringify(validate.errors)}`);
      const lines = text.split("\n");
      // The path from beside Pulumi.yaml, where the files go (init says to move them there).
      assert.equal(lines[0], "# yaml-language-server: $schema=schema/stack.schema.json");
      const comment = lines.findIndex((l) => l.trim().startsWith("aws:allowedAccountIds")) - 1;
      assert.match(
        lines[comment],
        /^ {2}# The AWS provider refuses credentials of any other account/,
      );
    }
  });

  it("refuses to overwrite a stack file without --force, naming it, and overwrites with it", async () => {
    const dir = tempDir();
    const staging = path.join(dir, "Pulumi.staging.yaml");
    writeFileSync(staging, "config: {}\n");
    const refused = await init([...ORDERS, "--dir", dir]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /Pulumi\.staging\.yaml: exists, and init never overwrites/);
    assert.match(refused.stderr, /--force/);
    assert.equal(readFileSync(staging, "utf8"), "config: {}\n");
    assert.equal(existsSync(path.join(dir, "Pulumi.prod.yaml")), false, "nor writes the other");

    const forced = await init([...ORDERS, "--dir", dir, "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(readFileSync(staging, "utf8"), /delivery:app: orders/);
  });

  it("reports an unknown flag by name, with every other problem, and writes nothing", async () => {
    const dir = tempDir();
    const args = ORDERS.filter((a) => a !== "globex" && a !== "--owner");
    const result = await init([...args, "--servce", "web:web:80:/", "--dir", dir]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--servce: unknown flag\. Fix: /);
    assert.match(
      result.stderr,
      /--owner: the GitHub owner of the app repository is required\. Fix: --owner/,
    );
    assert.equal(result.stdout, "");
    assert.deepEqual(readdirSync(dir), []);
  });

  it("refuses a port on a worker and bad values, naming the flag and the key, before writing anything", async () => {
    const dir = tempDir();
    const args = ORDERS.map((a) =>
      a === "jobs:worker"
        ? "jobs:worker:5000"
        : a === "api:web:8080:/healthz"
          ? "api:web:99999:/healthz"
          : a,
    );
    const result = await init([...args, "--dir", dir]);
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /--service jobs:worker:5000: a worker has no port, .*\(delivery:services\.jobs\.port in Pulumi\.staging\.yaml and Pulumi\.prod\.yaml\)/,
    );
    assert.match(
      result.stderr,
      /--service api:web:99999:\/healthz: port must be a whole number from 1 to 65535, got 99999/,
    );
    assert.deepEqual(readdirSync(dir), []);

    const shape = await init([...ORDERS, "--service", "cron:batch", "--dir", dir]);
    assert.equal(shape.status, 2);
    assert.match(
      shape.stderr,
      /--service cron:batch: "batch" is not a kind \(web or worker\)\. Fix: /,
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it("requires prod's reviewers, and refuses them where the owner's plan offers none", async () => {
    const dir = tempDir();
    const withoutReviewers = ORDERS.filter(
      (a) => a !== "--reviewers" && a !== "team:platform,user:alice",
    );
    const missing = await init([...withoutReviewers, "--dir", dir]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--reviewers: prod needs at least one required reviewer/);

    const team = ORDERS.map((a) => (a === "enterprise" ? "team" : a));
    const offered = await init([...team, "--dir", dir]);
    assert.equal(offered.status, 2);
    assert.match(
      offered.stderr,
      /--reviewers: GitHub Team \(github\.plan\) offers no required reviewers/,
    );
    assert.deepEqual(readdirSync(dir), []);

    const waived = await init([
      ...withoutReviewers.map((a) => (a === "enterprise" ? "team" : a)),
      "--prod-review-waiver",
      "a team of two on GitHub Team: reviewers arrive with Enterprise",
      "--dir",
      dir,
    ]);
    assert.equal(waived.status, 0, waived.stderr);
    assert.match(waived.stdout, /WARNING: waived by delivery:waivers\.prodWithoutReview/);
  });

  it("in a terminal, asks for what the flags leave out and writes what the flags would", async () => {
    const flags = tempDir();
    const shared = ["--app", "shop2", "--owner", "acme", "--github-plan", "enterprise"];
    const rest = [
      "--service",
      "api:web:5000:/api/health",
      "--service",
      "jobs:worker",
      "--staging-account",
      "111111111111",
      "--prod-account",
      "222222222222",
      "--staging-region",
      "eu-west-1",
      "--prod-region",
      "eu-west-1",
      "--reviewers",
      "team:platform",
    ];
    assert.equal((await init([...shared, ...rest, "--dir", flags])).status, 0);

    const asked = tempDir();
    const result = await init(
      [...shared, "--dir", asked],
      [
        "", // repository: the app name
        "api:web:5000", // refused (no health path) and asked again
        "api:web:5000:/api/health",
        "jobs:worker",
        "", // no more services
        "", // no secrets
        "111111111111",
        "222222222222",
        "eu-west-1",
        "", // prod region: staging's
        "", // staging branches: main
        "", // prod tags: v*
        "", // push
        "", // visibility: private
        "team:platform",
        "", // OIDC provider: create
        "", // no staging network
        "", // no prod network
      ],
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      /--service api:web:5000: a web service needs its port and health check path/,
    );
    // A complete command line is not asked anything, terminal or not.
    assert.equal((await init([...shared, ...rest, "--dir", tempDir()], [])).status, 0);
    for (const stack of ["staging", "prod"]) {
      assert.equal(
        readFileSync(path.join(asked, `Pulumi.${stack}.yaml`), "utf8"),
        readFileSync(path.join(flags, `Pulumi.${stack}.yaml`), "utf8"),
        stack,
      );
    }
  });

  it("prints every flag with --help", async () => {
    const result = await init(["--help"]);
    assert.equal(result.status, 0);
    for (const flag of [
      "--app",
      "--service NAME:web:PORT:PATH | NAME:worker",
      "--reviewers",
      "--dir DIR",
      "--force",
    ]) {
      assert.ok(result.stdout.includes(flag), flag);
    }
  });
});
