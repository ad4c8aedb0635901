/**
 * The credential flow of the generated deploy workflows, run step by step (tests/workflowRunner.ts):
 * the job authenticates as the deploy role whenever AWS_ROLE_ARN is there, falls back to the
 * break-glass keys only without it, and says what is missing when neither is.
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import { appRepoFiles } from "../lib/appRepoFiles";
import { deployWorkflowPath } from "../lib/workflows";
import { loadStage } from "../stacks/load";
import { plan, shippedStack } from "./hooks";
import { FALLBACK_ON, ofType, withConfig } from "./support";
import { JobStep, RunnerWorld, runJobSteps } from "./workflowRunner";

const ROLE = "arn:aws:iam::123456789012:role/shop-staging-deploy";
const ROLE_SESSION = {
  accessKeyId: "ASIAROLESESSION00001",
  secretAccessKey: "role-session-secret",
  sessionToken: "role-session-token",
};
const BREAK_GLASS = { accessKeyId: "AKIABREAKGLASS000001", secretAccessKey: "break-glass-secret" };

/** The backend's deploy job of a staging stage, as generated. */
function deployJob(changes: Record<string, unknown>): {
  env?: Record<string, unknown>;
  steps: JobStep[];
} {
  const stage = loadStage(withConfig(shippedStack("staging"), changes));
  const text = appRepoFiles(stage)[deployWorkflowPath("staging", "backend")];
  return (parse(text) as { jobs: { deploy: { env?: Record<string, unknown>; steps: JobStep[] } } })
    .jobs.deploy;
}

const FALLBACK = {
  "delivery:fallback": FALLBACK_ON,
};

/** GitHub's environment of the stage, with or without the role ARN and the break-glass keys. */
function world(roleArn: boolean, breakGlass: boolean): RunnerWorld {
  return {
    secrets: {
      ...(roleArn ? { AWS_ROLE_ARN: ROLE } : {}),
      ...(breakGlass
        ? {
            AWS_ACCESS_KEY_ID: BREAK_GLASS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: BREAK_GLASS.secretAccessKey,
          }
        : {}),
    },
    vars: { AWS_REGION: "eu-west-1", ECR_REPOSITORY_BACKEND: "shop-staging-backend" },
    identities: [
      {
        ...ROLE_SESSION,
        arn: "arn:aws:sts::123456789012:assumed-role/shop-staging-deploy/deploy-backend-4242",
      },
      { ...BREAK_GLASS, arn: "arn:aws:iam::123456789012:user/shop-staging-fallback" },
    ],
    roleSessions: { [ROLE]: ROLE_SESSION },
  };
}

const VERIFY = "Verify the AWS identity";
const outcome = (result: ReturnType<typeof runJobSteps>, name: string) =>
  result.steps.find((s) => s.name === name);

describe("credential flow of the generated deploy workflows", () => {
  it("deploys as the role while AWS_ROLE_ARN is set, though the break-glass keys are there too", () => {
    const result = runJobSteps(deployJob(FALLBACK), world(true, true), VERIFY);
    assert.equal(outcome(result, "Use the break-glass access keys")?.outcome, "skipped");
    const verify = outcome(result, VERIFY);
    assert.equal(verify?.outcome, "success", verify?.output);
    assert.match(String(verify?.output), /Authenticated as the deploy role/);
    assert.ok(
      !result.awsCalls.some((c) => c.startsWith("cloudwatch")),
      "no break-glass use recorded",
    );
  });

  it("uses the break-glass keys only without AWS_ROLE_ARN, and records the use", () => {
    const result = runJobSteps(deployJob(FALLBACK), world(false, true), VERIFY);
    assert.equal(outcome(result, "Assume the deploy role (OIDC)")?.outcome, "skipped");
    const verify = outcome(result, VERIFY);
    assert.equal(verify?.outcome, "success", verify?.output);
    assert.match(String(verify?.output), /user\/shop-staging-fallback with long-lived access keys/);
    assert.ok(
      result.awsCalls.some((c) =>
        c.startsWith(
          "cloudwatch put-metric-data --namespace CICD --metric-name FallbackAccessKeysUsed",
        ),
      ),
    );
  });

  it("fails at the check, naming the secret, when neither credential is there", () => {
    const result = runJobSteps(deployJob(FALLBACK), world(false, false), VERIFY);
    const check = outcome(result, "Check the deploy credentials");
    assert.equal(check?.outcome, "failure");
    assert.match(String(check?.output), /AWS_ROLE_ARN is missing/);
    assert.deepEqual(result.awsCalls, [], "nothing reached AWS");
  });

  it("never hands the break-glass key to a step other than its own login", () => {
    const job = deployJob(FALLBACK);
    for (const step of job.steps) {
      const text = JSON.stringify(step);
      if (text.includes("secrets.AWS_ACCESS_KEY_ID")) {
        assert.ok(
          step.name === "Use the break-glass access keys" ||
            (step.name === "Check the deploy credentials" &&
              text.includes("secrets.AWS_ACCESS_KEY_ID != ''")),
          `${String(step.name)} reads the key`,
        );
      }
    }
  });

  it("deploys as the role with exactly the secrets the stage writes to its GitHub environment", async () => {
    // The two ends of the contract, each read from what the product really produces: the
    // environment secrets of the plan, and the workflow and credential check that consume them.
    const run = await plan(shippedStack("staging"));
    const written = Object.fromEntries(
      ofType(run, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").map((s) => [
        String(s.inputs.secretName),
        String(s.rawInputs.value),
      ]),
    );
    assert.equal(written.AWS_ROLE_ARN, ROLE);
    const result = runJobSteps(deployJob({}), { ...world(false, false), secrets: written }, VERIFY);
    const verify = outcome(result, VERIFY);
    assert.equal(verify?.outcome, "success", verify?.output);
    assert.match(String(verify?.output), /Authenticated as the deploy role/);
  });

  it("deploys as the role in a stage without the fallback", () => {
    const result = runJobSteps(deployJob({}), world(true, false), VERIFY);
    assert.equal(outcome(result, VERIFY)?.outcome, "success");
  });
});
