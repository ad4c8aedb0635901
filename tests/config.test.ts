/**
 * Refused configs: every problem is reported at once, with the full key, what is wrong and how to
 * fix it, and nothing is declared.
 */
import { strict as assert } from "assert";
import { ConfigInput } from "../stacks/load";
import { plan, shippedStack } from "./hooks";
import { ofType, problemFor, refusal, refusedWith, withConfig } from "./support";

const staging = () => shippedStack("staging");

describe("config validation", () => {
  it("accepts both shipped stack files", async () => {
    for (const stack of ["staging", "prod"] as const) {
      const run = await plan(shippedStack(stack));
      assert.equal(run.stage.name, stack);
    }
  });

  const cases: [string, () => ConfigInput, string, ...string[]][] = [
    ["unknown stage", () => withConfig(staging(), {}, "qa"), "delivery:stage", "not a known stage"],
    [
      "stage that is not staging or prod",
      () => withConfig(staging(), { "delivery:stage": "dev" }, "qa"),
      "delivery:stage",
      '"dev"',
    ],
    [
      "bad app name",
      () => withConfig(staging(), { "delivery:app": "Shop_App" }),
      "delivery:app",
      "lowercase",
    ],
    [
      "bad service name",
      () =>
        withConfig(staging(), { "delivery:services.Back_End": { port: 1, healthCheckPath: "/" } }),
      "delivery:services.Back_End",
      "lowercase",
    ],
    [
      "port out of range",
      () => withConfig(staging(), { "delivery:services.backend.port": 70000 }),
      "delivery:services.backend.port",
      "70000",
      "65535",
    ],
    [
      "port as text",
      () => withConfig(staging(), { "delivery:services.backend.port": "5000" }),
      "delivery:services.backend.port",
      "number",
    ],
    [
      "undeclared secret",
      () => withConfig(staging(), { "delivery:services.backend.secrets.STRIPE_KEY": "stripe-key" }),
      "delivery:services.backend.secrets.STRIPE_KEY",
      '"stripe-key" is not declared',
    ],
    [
      "subject for another repository",
      () =>
        withConfig(staging(), {
          "delivery:deployRole.subjects": ["repo:acme/billing:ref:refs/heads/main"],
        }),
      "delivery:deployRole.subjects[0]",
      "acme/billing",
    ],
    [
      "wildcard in the repository part",
      () =>
        withConfig(staging(), {
          "delivery:deployRole.subjects": ["repo:acme/*:ref:refs/heads/main"],
        }),
      "delivery:deployRole.subjects[0]",
      "wildcard in the owner or repository",
    ],
    [
      "wildcard in the owner part",
      () =>
        withConfig(staging(), {
          "delivery:deployRole.subjects": ["repo:*/shop:environment:staging"],
        }),
      "delivery:deployRole.subjects[0]",
      "wildcard in the owner or repository",
    ],
    [
      "bare *",
      () => withConfig(staging(), { "delivery:deployRole.subjects": ["*"] }),
      "delivery:deployRole.subjects[0]",
      "every repository",
    ],
    [
      "pattern without opt-in",
      () => withConfig(staging(), { "delivery:deployRole.subjects": ["ref:refs/heads/release-*"] }),
      "delivery:deployRole.subjects[0]",
      "allowSubjectPatterns",
    ],
    [
      "pull requests on a deploy role",
      () => withConfig(staging(), { "delivery:deployRole.subjects": ["pull_request"] }),
      "delivery:deployRole.subjects[0]",
      "read-only",
    ],
    [
      "the other stage's environment",
      () => withConfig(staging(), { "delivery:deployRole.subjects": ["environment:production"] }),
      "delivery:deployRole.subjects[0]",
      "another stage",
    ],
    [
      "session too short",
      () => withConfig(staging(), { "delivery:deployRole.maxSessionDuration": 900 }),
      "delivery:deployRole.maxSessionDuration",
      "3600",
    ],
    [
      "session too long",
      () => withConfig(staging(), { "delivery:deployRole.maxSessionDuration": 86400 }),
      "delivery:deployRole.maxSessionDuration",
      "43200",
    ],
    [
      "unknown top-level key",
      () => withConfig(staging(), { "delivery:servics": {} }),
      "delivery:servics",
      "unknown config key",
    ],
    [
      "unknown nested key",
      () => withConfig(staging(), { "delivery:ecr.scanOnPushh": true }),
      "delivery:ecr.scanOnPushh",
      "known keys here",
    ],
    [
      "missing oidc mode",
      () => withConfig(staging(), { "delivery:oidc": {} }),
      "delivery:oidc.mode",
      '"create"',
    ],
    [
      "missing github owner",
      () => withConfig(staging(), { "github:owner": undefined }),
      "github:owner",
      "pulumi config set github:owner",
    ],
    [
      "missing region",
      () => withConfig(staging(), { "aws:region": undefined }),
      "aws:region",
      "pulumi config set aws:region",
    ],
    [
      "secret-looking plain environment variable",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.environment.STRIPE_API_KEY": "sk_live_x",
        }),
      "delivery:services.backend.environment.STRIPE_API_KEY",
      "looks like a secret",
    ],
    [
      "mutable tags in prod",
      () => withConfig(shippedStack("prod"), { "delivery:ecr.imageTagMutability": "MUTABLE" }),
      "delivery:ecr.imageTagMutability",
      "immutable",
    ],
    [
      "force delete in prod",
      () => withConfig(shippedStack("prod"), { "delivery:ecr.forceDelete": true }),
      "delivery:ecr.forceDelete",
      "prod",
    ],
    [
      "prod with no deploy refs",
      () => withConfig(shippedStack("prod"), { "delivery:github.deployTags": [] }),
      "delivery:github.deployTags",
      "nothing could deploy",
    ],
  ];
  for (const [title, input, key, ...fragments] of cases) {
    it(`refuses ${title}`, async () => {
      await refusedWith(input(), key, ...fragments);
    });
  }

  it("reports every problem at once", async () => {
    const problems = (
      await refusal(
        withConfig(staging(), {
          "delivery:app": "BAD",
          "delivery:services.backend.port": 0,
          "delivery:services.frontend.secrets.TOKEN": "missing",
          "delivery:deployRole.maxSessionDuration": 60,
        }),
      )
    ).problems;
    problemFor(problems, "delivery:app", "lowercase");
    problemFor(problems, "delivery:services.backend.port", "at least 1");
    problemFor(problems, "delivery:services.frontend.secrets.TOKEN", "not declared");
    problemFor(problems, "delivery:deployRole.maxSessionDuration", "3600");
    assert.equal(problems.length, 4, problems.join("\n"));
  });

  it("accepts a stack name that is no stage when its config names one, and names resources after the stack", async () => {
    const run = await plan(withConfig(staging(), { "delivery:stage": "staging" }, "staging-eu"));
    assert.equal(run.stage.name, "staging");
    assert.equal(run.stack, "staging-eu");
    const repos = ofType(run, "aws:ecr/repository:Repository").map((r) => r.inputs.name);
    assert.deepEqual(repos.sort(), ["shop-staging-eu-backend", "shop-staging-eu-frontend"]);
  });

  it("refuses a config whose stage contradicts the stack name", async () => {
    await refusedWith(
      withConfig(staging(), { "delivery:stage": "prod" }),
      "delivery:stage",
      "remove delivery:stage",
    );
  });
});
