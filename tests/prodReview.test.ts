/**
 * Nobody reaches prod without review, and no role that every branch, tag or pull request can
 * assume may change anything: the invariants over the access model, tried with the dangerous
 * configs teams write.
 */
import { strict as assert } from "assert";
import { plan, shippedPlans, shippedStack } from "./hooks";
import { AUD, refusedWith, trustAdmits, trustOf, withConfig } from "./support";

const prod = () => shippedStack("prod");
const staging = () => shippedStack("staging");
const WAIVER = "a team of one: the owner deploys alone until a second person joins";

describe("reviewed prod", () => {
  it("a job on tag backend-v1 outside the production environment cannot assume the prod deploy role", async () => {
    const { prod: run } = await shippedPlans();
    const trust = trustOf(run);
    assert.ok(trustAdmits(trust, { sub: "repo:acme/shop:environment:production", aud: AUD }));
    for (const sub of [
      "repo:acme/shop:ref:refs/tags/backend-v1",
      "repo:acme/shop:ref:refs/heads/main",
      "repo:acme/shop:environment:prod-hotfix",
      "repo:acme/shop:pull_request",
    ]) {
      assert.equal(trustAdmits(trust, { sub, aud: AUD }), false, sub);
    }
  });

  const refused: [string, Record<string, unknown>, string, string][] = [
    [
      "prod's deploy role trusting a branch directly",
      { "delivery:deployRole.subjects": ["ref:refs/heads/main"] },
      "delivery:deployRole.subjects[0]",
      "a job on branch main can assume it",
    ],
    [
      "prod's deploy role trusting every tag",
      {
        "delivery:deployRole.subjects": ["ref:refs/tags/*"],
        "delivery:deployRole.allowSubjectPatterns": true,
      },
      "delivery:deployRole.subjects[0]",
      "no reviewer sees it",
    ],
    [
      "prod's deploy role trusting an environment no stack manages",
      { "delivery:deployRole.subjects": ["environment:prod-hotfix"] },
      "delivery:deployRole.subjects[0]",
      "GitHub creates it, unprotected",
    ],
    [
      "prod's deploy role trusting another stage's environment name",
      { "delivery:deployRole.subjects": ["environment:staging-eu"] },
      "delivery:deployRole.subjects[0]",
      "no stack manages the environment staging-eu",
    ],
    [
      "a prod role that reads a secret on a tag pattern",
      {
        "delivery:roles.publish.subjects": ["ref:refs/tags/package-v*"],
        "delivery:roles.publish.allowSubjectPatterns": true,
      },
      "delivery:roles.publish.subjects[0]",
      "shop-prod-publish may change prod or read its secrets",
    ],
    [
      "admins bypassing prod's review",
      { "delivery:github.protection.canAdminsBypass": true },
      "delivery:github.protection.canAdminsBypass",
      "without a review",
    ],
    [
      "self-review of prod deploys",
      { "delivery:github.protection.preventSelfReview": false },
      "delivery:github.protection.preventSelfReview",
      "could approve it",
    ],
    [
      "every tag deploying prod",
      { "delivery:github.deployTags": ["*"] },
      "delivery:github.deployTags",
      "every tag",
    ],
    [
      "every branch deploying prod",
      { "delivery:github.deployBranches": ["**"] },
      "delivery:github.deployBranches",
      "every branch",
    ],
    [
      "prod's environment not managed by the stack",
      { "delivery:github.manage": false },
      "delivery:github.manage",
      "nothing here says who reviews",
    ],
  ];
  for (const [title, changes, key, fragment] of refused) {
    it(`refuses ${title}`, async () => {
      await refusedWith(withConfig(prod(), changes), key, fragment);
    });
  }

  it("lets one named waiver, with its reason, turn every finding into a warning printed first", async () => {
    const run = await plan(
      withConfig(prod(), {
        "delivery:github.protection.canAdminsBypass": true,
        "delivery:github.protection.preventSelfReview": false,
        "delivery:waivers": { prodWithoutReview: WAIVER },
      }),
    );
    assert.equal(run.stage.warnings.length, 2);
    for (const w of run.stage.warnings) {
      assert.ok(w.startsWith(`waived by delivery:waivers.prodWithoutReview ("${WAIVER}")`), w);
    }
  });

  it("refuses a waiver that gives no reason", async () => {
    await refusedWith(
      withConfig(prod(), { "delivery:waivers": { prodWithoutReview: "ok" } }),
      "delivery:waivers.prodWithoutReview",
      "at least 20 characters",
    );
  });
});

describe("exposed roles are read-only, in every stage", () => {
  const role = (subjects: string[], grants: Record<string, unknown>, patterns = false) => ({
    "delivery:roles.ci": { subjects, grants, allowSubjectPatterns: patterns },
  });
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "a role every pull request can assume that pushes images",
      role(["pull_request"], { pushRepositories: ["backend"] }),
      "a pull request can assume it",
    ],
    [
      "a role every branch can assume that reads a secret",
      role(["ref:refs/heads/*"], { readSecrets: ["jwt-secret"] }, true),
      "a job on branch * can assume it",
    ],
    [
      "a role every tag can assume that pushes images",
      role(["ref:refs/tags/*"], { pushRepositories: ["frontend"] }, true),
      "a job on tag * can assume it",
    ],
  ];
  for (const [title, changes, fragment] of cases) {
    it(`refuses ${title}`, async () => {
      await refusedWith(
        withConfig(staging(), changes),
        "delivery:roles.ci.subjects[0]",
        fragment,
        "only read-only roles",
      );
    });
  }

  it("refuses the staging deploy role when every branch may deploy and nobody reviews", async () => {
    await refusedWith(
      withConfig(staging(), { "delivery:github.deployBranches": ["**"] }),
      "delivery:github.environment",
      "every branch or tag may run jobs in the environment staging",
    );
  });

  it("accepts a read-only role on pull requests, as previews need", async () => {
    const run = await plan(
      withConfig(staging(), role(["pull_request"], { previewReadOnly: true })),
    );
    assert.ok(
      trustAdmits(trustOf(run, "shop-ci"), { sub: "repo:acme/shop:pull_request", aud: AUD }),
    );
  });
});
