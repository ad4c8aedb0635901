/**
 * Stage isolation, as the requirements say it: nothing one stage may do reaches the other stage,
 * asked of the IAM oracle with the policies the program writes.
 */
import { strict as assert } from "assert";
import { ACCOUNT, mayDo } from "./iam";
import { plan, shippedPlans, shippedStack } from "./hooks";
import { AUD, rolePolicies, trustAdmits, trustOf, withConfig } from "./support";

const family = (name: string, revision = 7) =>
  `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${name}:${revision}`;
const service = (cluster: string, name: string) =>
  `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${cluster}/${name}`;

describe("stage isolation", () => {
  it("the staging deploy role cannot register a revision in a prod family", async () => {
    const { staging } = await shippedPlans();
    const docs = rolePolicies(staging, "shop-staging-deploy");
    assert.ok(await mayDo(docs, "ecs:RegisterTaskDefinition", family("shop-staging-backend")));
    for (const prodFamily of ["shop-prod-backend", "shop-prod-frontend"]) {
      assert.equal(await mayDo(docs, "ecs:RegisterTaskDefinition", family(prodFamily)), false);
    }
  });

  it("the staging deploy role cannot roll a prod revision out to a staging service, which would run with prod's task role", async () => {
    const { staging } = await shippedPlans();
    const docs = rolePolicies(staging, "shop-staging-deploy");
    const target = service("shop-staging", "shop-staging-backend");
    assert.ok(
      await mayDo(docs, "ecs:UpdateService", target, {
        "ecs:task-definition": family("shop-staging-backend"),
      }),
    );
    assert.equal(
      await mayDo(docs, "ecs:UpdateService", target, {
        "ecs:task-definition": family("shop-prod-backend"),
      }),
      false,
    );
    // Nor another service's revision: each service runs its own family.
    assert.equal(
      await mayDo(docs, "ecs:UpdateService", target, {
        "ecs:task-definition": family("shop-staging-frontend"),
      }),
      false,
    );
  });

  it("no deploy role registers a privileged container or turns on ECS Exec", async () => {
    const { staging, prod } = await shippedPlans();
    for (const [run, stack] of [
      [staging, "staging"],
      [prod, "prod"],
    ] as const) {
      const docs = rolePolicies(run, `shop-${stack}-deploy`);
      assert.equal(
        await mayDo(docs, "ecs:RegisterTaskDefinition", family(`shop-${stack}-backend`), {
          "ecs:privileged": "true",
        }),
        false,
      );
      assert.equal(
        await mayDo(docs, "ecs:UpdateService", service(`shop-${stack}`, `shop-${stack}-backend`), {
          "ecs:task-definition": family(`shop-${stack}-backend`),
          "ecs:enable-execute-command": "true",
        }),
        false,
      );
    }
  });

  it("a tag pattern admits what GitHub's tag policies match, and no tag with a slash where the pattern has *", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:deployRole.subjects": ["ref:refs/tags/backend-v*"],
        "delivery:deployRole.allowSubjectPatterns": true,
      }),
    );
    const trust = trustOf(run);
    const sub = (tag: string) => `repo:acme/shop:ref:refs/tags/${tag}`;
    assert.ok(trustAdmits(trust, { sub: sub("backend-v1.2.3"), aud: AUD }));
    assert.equal(trustAdmits(trust, { sub: sub("backend-v1/evil"), aud: AUD }), false);
  });
});
