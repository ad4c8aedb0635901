/**
 * The credential check the deploy workflows run before touching AWS, with the AWS CLI replaced
 * by a stub that answers `sts get-caller-identity` and logs every call.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { CREDENTIAL_CHECK_SOURCE } from "../lib/appRepoFiles";

const ROLE = "arn:aws:iam::123456789012:role/shop-staging-deploy";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
  awsCalls: string[];
}

/**
 * Runs the script with a stubbed `aws` whose caller identity is `identity`; the calls named in
 * `failing` (`cloudwatch put-metric-data`) fail as the CLI does when AWS refuses them.
 */
function check(
  mode: string,
  env: Record<string, string>,
  identity = "",
  failing: readonly string[] = [],
): Run {
  const dir = mkdtempSync(path.join(tmpdir(), "creds-"));
  const log = path.join(dir, "aws.log");
  const outputFile = path.join(dir, "github-output");
  const refusals = failing
    .map(
      (call) =>
        `if [ "$1 $2" = "${call}" ]; then echo "An error occurred (AccessDenied) when calling ${call}" >&2; exit 254; fi\n`,
    )
    .join("");
  writeFileSync(
    path.join(dir, "aws"),
    `#!/usr/bin/env bash\necho "$*" >> "${log}"\n${refusals}if [ "$1 $2" = "sts get-caller-identity" ]; then echo "${identity}"; fi\n`,
  );
  chmodSync(path.join(dir, "aws"), 0o755);
  const result = spawnSync("bash", [CREDENTIAL_CHECK_SOURCE, mode], {
    encoding: "utf8",
    env: {
      PATH: `${dir}:${process.env.PATH ?? ""}`,
      GITHUB_OUTPUT: outputFile,
      DEPLOY_ENVIRONMENT: "staging",
      ...env,
    },
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: existsSync(outputFile) ? readFileSync(outputFile, "utf8") : "",
    awsCalls: existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [],
  };
}

describe("credential check", () => {
  it("chooses OIDC when AWS_ROLE_ARN is a well-formed role ARN", () => {
    const run = check("select", { AWS_ROLE_ARN: ROLE });
    assert.equal(run.status, 0, run.stdout);
    assert.equal(run.output.trim(), "mode=oidc");
    assert.deepEqual(run.awsCalls, [], "select never calls AWS");
  });

  it("fails, naming the secret and its environment, when AWS_ROLE_ARN is missing", () => {
    const run = check("select", {});
    assert.equal(run.status, 1);
    assert.match(
      run.stdout,
      /::error title=AWS credentials::The secret AWS_ROLE_ARN is missing from the GitHub environment 'staging': run 'pulumi up' for this stage/,
    );
    assert.equal(run.output, "");
  });

  it("names where the team's workflows keep the role's ARN, when the stage writes it elsewhere", () => {
    const missing = check("select", { ROLE_ARN_SOURCE: "variable AWS_ROLE_TO_ASSUME" });
    assert.equal(missing.status, 1);
    assert.match(
      missing.stdout,
      /::error title=AWS credentials::The variable AWS_ROLE_TO_ASSUME is missing from the GitHub environment 'staging'/,
    );
    const bad = check("select", {
      AWS_ROLE_ARN: "shop-staging-deploy",
      ROLE_ARN_SOURCE: "variable AWS_ROLE_TO_ASSUME",
    });
    assert.match(
      bad.stdout,
      /The variable AWS_ROLE_TO_ASSUME of the GitHub environment 'staging' is not an IAM role ARN/,
    );
  });

  it("fails on a malformed AWS_ROLE_ARN", () => {
    for (const bad of [
      "shop-staging-deploy",
      "arn:aws:iam::12345:role/x",
      "arn:aws:iam::123456789012:user/deployer",
      " ",
    ]) {
      const run = check("select", { AWS_ROLE_ARN: bad });
      assert.equal(run.status, 1, bad);
      assert.match(run.stdout, /is not an IAM role ARN/, bad);
    }
  });

  it("falls back to the break-glass keys only without AWS_ROLE_ARN, and says so loudly", () => {
    const run = check("select", { BREAK_GLASS_KEY_PRESENT: "true" });
    assert.equal(run.status, 0);
    assert.equal(run.output.trim(), "mode=fallback");
    assert.match(
      run.stdout,
      /::warning title=Break-glass credentials::The secret AWS_ROLE_ARN is missing/,
    );
    assert.equal(
      check("select", { AWS_ROLE_ARN: ROLE, BREAK_GLASS_KEY_PRESENT: "true" }).output.trim(),
      "mode=oidc",
    );
  });

  it("passes when the assumed identity is the deploy role", () => {
    const run = check(
      "verify",
      { AWS_ROLE_ARN: ROLE, CREDENTIALS_MODE: "oidc" },
      "arn:aws:sts::123456789012:assumed-role/shop-staging-deploy/deploy-backend-42",
    );
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(run.awsCalls, ["sts get-caller-identity --query Arn --output text"]);
  });

  it("fails when the job runs as another role or account", () => {
    for (const identity of [
      "arn:aws:sts::123456789012:assumed-role/shop-prod-deploy/s",
      "arn:aws:sts::210987654321:assumed-role/shop-staging-deploy/s",
      "arn:aws:sts::123456789012:assumed-role/shop-staging-deploy-old/s",
      "arn:aws:iam::123456789012:user/someone",
    ]) {
      const run = check("verify", { AWS_ROLE_ARN: ROLE, CREDENTIALS_MODE: "oidc" }, identity);
      assert.equal(run.status, 1, identity);
      assert.match(run.stdout, /not as the deploy role/);
    }
  });

  it("records every break-glass use as the CICD/FallbackAccessKeysUsed metric", () => {
    const run = check(
      "verify",
      { CREDENTIALS_MODE: "fallback" },
      "arn:aws:iam::123456789012:user/shop-staging-fallback",
    );
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /::warning title=Break-glass credentials::/);
    assert.equal(
      run.awsCalls[1],
      "cloudwatch put-metric-data --namespace CICD --metric-name FallbackAccessKeysUsed --dimensions Environment=staging --value 1 --unit Count",
    );
  });

  it("refuses to deploy with the break-glass keys when their use cannot be recorded", () => {
    const run = check(
      "verify",
      { CREDENTIALS_MODE: "fallback" },
      "arn:aws:iam::123456789012:user/shop-staging-fallback",
      ["cloudwatch put-metric-data"],
    );
    assert.equal(run.status, 1, run.stdout);
    assert.match(
      run.stdout,
      /::error title=AWS credentials::could not record the break-glass use in CloudWatch \(CICD\/FallbackAccessKeysUsed\); refusing to deploy unrecorded/,
    );
    assert.ok(run.awsCalls[1]?.startsWith("cloudwatch put-metric-data"), "the use was tried");
  });
});
