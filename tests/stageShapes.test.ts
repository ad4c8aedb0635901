/**
 * Every team's setup fits without made-up parts: a stage of only the OIDC provider, roles and
 * secrets (a publishing role that reads one token) plans, and builds nothing for services that
 * do not exist.
 */
import { strict as assert } from "assert";
import { readdirSync } from "fs";
import * as path from "path";
import { appRepoFiles } from "../lib/appRepoFiles";
import { readStack } from "../stacks/stackFiles";
import { mayDo } from "./iam";
import { plan, shippedStack } from "./hooks";
import {
  ofType,
  refusedWith,
  rolePolicies,
  secretArn,
  trustAdmits,
  trustOf,
  AUD,
  withConfig,
} from "./support";

const ROOT = path.join(__dirname, "..");
const publishOnly = () => readStack("prod", path.join(ROOT, "examples/publish-only.prod.yaml"));

describe("a stage without ECS", () => {
  it("plans the OIDC provider, the publishing role and its one secret, and nothing for services", async () => {
    const run = await plan(publishOnly());
    const types = [...new Set(run.resources.filter((r) => r.custom).map((r) => r.type))].sort();
    for (const absent of [
      "aws:ecr/",
      "aws:ecs/",
      "aws:cloudwatch/logGroup",
      "aws:cloudwatch/metricAlarm",
    ]) {
      assert.ok(!types.some((t) => t.startsWith(absent)), `${absent}: ${types.join(", ")}`);
    }
    assert.deepEqual(
      ofType(run, "aws:iam/role:Role").map((r) => r.inputs.name),
      ["pkg-prod-publish"],
      "no deploy role: there is nothing to deploy",
    );
    assert.deepEqual(
      ofType(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        .map((v) => v.inputs.variableName)
        .sort(),
      ["AWS_ACCOUNT_ID", "AWS_REGION"],
    );
    assert.equal(
      ofType(run, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").length,
      0,
      "no AWS_ROLE_ARN of a deploy role that does not exist",
    );
    assert.deepEqual(appRepoFiles(run.stage), {}, "no deploy workflows");
  });

  it("lets the publishing role read exactly its one secret, and only from the reviewed environment", async () => {
    const run = await plan(publishOnly());
    const docs = rolePolicies(run, "pkg-prod-publish");
    const token = secretArn(run, "pkg/prod/npm-token");
    assert.ok(await mayDo(docs, "secretsmanager:GetSecretValue", token));
    const other = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pkg/prod/other-AbCdEf";
    assert.equal(await mayDo(docs, "secretsmanager:GetSecretValue", other), false);
    assert.equal(await mayDo(docs, "secretsmanager:PutSecretValue", token), false);
    const trust = trustOf(run, "pkg-publish");
    assert.ok(trustAdmits(trust, { sub: "repo:acme/client:environment:production", aud: AUD }));
    assert.equal(trustAdmits(trust, { sub: "repo:acme/client:ref:refs/tags/v1", aud: AUD }), false);
  });

  it("refuses a cluster or break-glass keys for services that do not exist", async () => {
    await refusedWith(
      withConfig(publishOnly(), { "delivery:ecs": { cluster: { create: true } } }),
      "delivery:ecs.cluster",
      "no services to run there",
    );
    await refusedWith(
      withConfig(publishOnly(), {
        "delivery:fallback": { enabled: true, alarmEmails: ["a@example.com"], allowInProd: true },
      }),
      "delivery:fallback.enabled",
      "has no deploy role",
    );
  });

  it("keeps the shipped two-service stacks' deploy roles", async () => {
    const run = await plan(shippedStack("staging"));
    assert.ok(run.stage.deployRole);
  });
});

describe("the README's recipes", () => {
  for (const file of readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".yaml"))) {
    it(`${file} plans, with the stack its name ends in`, async () => {
      const stack =
        file
          .replace(/\.yaml$/, "")
          .split(".")
          .pop() ?? "";
      const run = await plan(readStack(stack, path.join(ROOT, "examples", file)));
      assert.equal(run.stack, stack);
    });
  }
});
