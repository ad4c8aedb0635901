/**
 * The offline plan: the document it writes, the summary a reviewer reads, and the command itself.
 */
import { strict as assert } from "assert";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { planDocument, runPlanCommand } from "../scripts/plan";
import { summarize } from "../scripts/summary";
import { plan, shippedStack } from "./hooks";
import { ofType, one } from "./support";
import { PROJECT_DIR as ROOT } from "../stacks/stackFiles";

/** Runs the plan command in this process, capturing what it prints. */
async function planCommand(
  ...args: string[]
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await runPlanCommand(args, {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
  });
  return { status, stdout, stderr };
}

describe("offline plan", () => {
  it("gives every resource of both stacks a unique URN", async () => {
    for (const stack of ["staging", "prod"] as const) {
      const run = await plan(shippedStack(stack));
      const urns = run.resources.map((r) => r.urn);
      assert.equal(new Set(urns).size, urns.length, `duplicate URNs in ${stack}`);
      assert.ok(urns.length > 30);
    }
  });

  it("writes project, stack, resources with urn/type/name/id/parent/inputs/state, and outputs", async () => {
    const run = await plan(shippedStack("staging"));
    const doc = planDocument(run) as {
      project: string;
      stack: string;
      resources: {
        urn: string;
        type: string;
        name: string;
        id: string;
        parent: string | null;
        inputs: Record<string, unknown>;
        state: Record<string, unknown>;
      }[];
      outputs: Record<string, unknown>;
    };
    assert.equal(doc.project, "delivery");
    assert.equal(doc.stack, "staging");
    for (const r of doc.resources) {
      for (const key of ["urn", "type", "name", "id", "parent", "inputs", "state"])
        assert.ok(key in r, `${r.urn} lacks ${key}`);
    }
    const role = doc.resources.find(
      (r) => r.type === "aws:iam/role:Role" && r.name === "shop-deploy",
    );
    const policies = doc.resources.filter(
      (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === role?.id,
    );
    assert.deepEqual(policies.map((p) => p.name).sort(), ["shop-deploy-ecr", "shop-deploy-ecs"]);
    assert.equal(
      typeof policies[0].inputs.policy,
      "string",
      "policies stay the JSON text the provider receives",
    );
    const parent = doc.resources.find((r) => r.urn === role?.parent);
    assert.equal(parent?.type, "delivery:aws:GithubActionsRole");
    assert.equal(doc.outputs.deployRoleArn, "arn:aws:iam::123456789012:role/shop-staging-deploy");
  });

  it("tags every AWS resource with app, stage and managed-by through the provider", async () => {
    const run = await plan(shippedStack("prod"));
    const providers = ofType(run, "pulumi:providers:aws");
    assert.equal(providers.length, 1);
    const [provider] = providers;
    assert.deepEqual(JSON.parse(String(provider.inputs.defaultTags)), {
      tags: { team: "shop-platform", app: "shop", stage: "prod", "managed-by": "pulumi-delivery" },
    });
    assert.equal(provider.inputs.region, "eu-west-1");
    const custom = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    assert.ok(custom.length > 20);
    for (const r of custom) {
      assert.ok(
        r.provider?.startsWith(`${provider.urn}::`),
        `${r.name} is registered with the tagged provider, got ${r.provider}`,
      );
    }
  });

  it("summarizes what a reviewer checks: trusted subjects, grants, repositories, secrets and their readers", async () => {
    const text = summarize(await plan(shippedStack("prod")));
    for (const expected of [
      "repo:acme/shop:environment:production  (exact)",
      "PassTaskRoles: iam:PassRole on",
      "if iam:PassedToService StringEquals ecs-tasks.amazonaws.com",
      "ECR repository shop-prod-backend",
      "tags IMMUTABLE; scan on push on",
      "Secret shop/prod/jwt-secret",
      "readable by: shop-prod-backend-execution",
      "health check: curl -fsS -o /dev/null http://localhost:5000/api/health || exit 1",
      "uses the existing one, looked up by URL",
      "circuit breaker on, rollback on",
    ]) {
      assert.ok(text.includes(expected), `summary lacks: ${expected}`);
    }
  });

  it("as a command: prints the summary, writes the JSON file, exits 0", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
    const out = path.join(dir, "staging.json");
    // A copy of staging without its account guard, planned in another account.
    const config = path.join(dir, "staging.yaml");
    writeFileSync(
      config,
      readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8").replace(
        /\n  aws:allowedAccountIds:\n    - "123456789012"/,
        "",
      ),
    );
    const result = await planCommand(
      "--stack",
      "staging",
      "--config",
      config,
      "--json",
      out,
      "--account-id",
      "210987654321",
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /delivery plan: stack staging \(stage staging\)/);
    const doc = JSON.parse(readFileSync(out, "utf8")) as {
      resources: { type: string; state: { arn?: string } }[];
    };
    const role = doc.resources.find((r) => r.type === "aws:iam/role:Role");
    assert.match(String(role?.state.arn), /^arn:aws:iam::210987654321:role\//);
  });

  it("as a command: hands the stack's config to the policy pack, so a waived prod plans clean with its warning first", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
    const config = path.join(dir, "prod.yaml");
    writeFileSync(
      config,
      `${readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8").replace(
        "canAdminsBypass: false",
        "canAdminsBypass: true",
      )}  delivery:waivers:\n    prodWithoutReview: "a team of one: the owner deploys alone until a second joins"\n`,
    );
    const result = await planCommand("--stack", "prod", "--config", config);
    assert.equal(result.status, 0, result.stdout);
    assert.match(result.stdout, /^WARNING: waived by delivery:waivers.prodWithoutReview/);
    assert.match(result.stdout, /Policy pack \(policy\/\): no violations\./);
  });

  it("as a command: refuses to plan prod in an account its target groups are not in", async () => {
    // The shipped prod stack runs only in 123456789012 (aws:allowedAccountIds).
    const result = await planCommand("--stack", "prod", "--account-id", "210987654321");
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /aws:allowedAccountIds: the AWS credentials are for account 210987654321, but this stack runs only in 123456789012/,
    );
  });

  it("as a command: refuses an invalid config with exit status 1 and every problem on stderr, printing nothing else", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
    const file = path.join(dir, "bad.yaml");
    writeFileSync(
      file,
      readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")
        .replace("port: 5000", "port: 99999")
        .replace("maxSessionDuration: 3600", "maxSessionDuration: 60"),
    );
    const result = await planCommand("--stack", "staging", "--config", file);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /delivery:services\.backend\.port: .*99999/);
    assert.match(result.stderr, /delivery:deployRole\.maxSessionDuration: /);
  });

  it("as a command: refuses bad arguments with exit status 2 and the usage", async () => {
    for (const args of [
      ["--stak", "prod"],
      ["--account-id", "12"],
      ["--stack", "nosuch"],
    ]) {
      const result = await planCommand(...args);
      assert.equal(result.status, 2, args.join(" "));
      assert.match(result.stderr, /usage: npm run plan --/);
      assert.equal(result.stdout, "");
    }
  });

  it("gives a role its name as id, as AWS does, so attachments can name their role", async () => {
    const run = await plan(shippedStack("staging"));
    const role = one(run, "aws:iam/role:Role", "shop-backend-execution");
    assert.equal(role.id, "shop-staging-backend-execution");
    assert.equal(role.state.arn, "arn:aws:iam::123456789012:role/shop-staging-backend-execution");
  });
});
