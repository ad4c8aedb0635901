/**
 * The refs that can deploy are protected: a repository ruleset says who may create, move or delete
 * a deploy tag and holds deploy branches to reviewed pull requests, on by default in prod. And the
 * stack writes on GitHub only what the owner's plan offers for the repository's visibility.
 */
import { strict as assert } from "assert";
import { summarize } from "../scripts/summary";
import { DATA_SOURCE_MOCKS } from "../scripts/mocks";
import { OfflineRun } from "../scripts/offline";
import { plan, shippedPlans, shippedStack } from "./hooks";
import { ofType, refusedWith, withConfig } from "./support";

const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";
const POLICY =
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const prod = () => shippedStack("prod");
const staging = () => shippedStack("staging");
const WAIVER =
  "GitHub Team plan: no reviewers on private repositories; two people pair on releases";

interface Ruleset {
  name: string;
  target: string;
  enforcement: string;
  conditions: { refName: { includes: string[]; excludes: string[] } };
  bypassActors: { actorId: number; actorType: string; bypassMode: string }[];
  rules: Record<string, unknown>;
}
const rulesets = (run: OfflineRun) =>
  ofType(run, RULESET).map((r) => r.inputs as unknown as Ruleset);

describe("rulesets on the refs that deploy", () => {
  it("in prod, only repository admins may create, move or delete a tag that deploys", async () => {
    const { prod: run } = await shippedPlans();
    const [tags, ...others] = rulesets(run);
    assert.equal(others.length, 0, "prod deploys from tags only");
    assert.equal(tags.target, "tag");
    assert.equal(tags.enforcement, "active");
    assert.deepEqual(tags.rules, { creation: true, update: true, deletion: true });
    // RepositoryRole 5 is GitHub's id for the admin role.
    assert.deepEqual(tags.bypassActors, [
      { actorId: 5, actorType: "RepositoryRole", bypassMode: "always" },
    ]);
  });

  it("covers exactly the tags the environment admits", async () => {
    const { prod: run } = await shippedPlans();
    const admitted = ofType(run, POLICY)
      .map((p) => `refs/tags/${String(p.inputs.tagPattern)}`)
      .sort();
    assert.deepEqual([...rulesets(run)[0].conditions.refName.includes].sort(), admitted);
    assert.deepEqual(admitted, [
      "refs/tags/backend-v*",
      "refs/tags/frontend-v*",
      "refs/tags/package-v*",
    ]);
  });

  it("holds a staging deploy branch to reviewed pull requests when staging turns rulesets on", async () => {
    const run = await plan(withConfig(staging(), { "delivery:github.rulesets.enabled": true }));
    const [branches] = rulesets(run);
    assert.equal(branches.target, "branch");
    assert.deepEqual(branches.conditions.refName.includes, ["refs/heads/main"]);
    assert.deepEqual(branches.rules, {
      deletion: true,
      nonFastForward: true,
      pullRequest: {
        requiredApprovingReviewCount: 1,
        dismissStaleReviewsOnPush: true,
        requireLastPushApproval: true,
      },
    });
  });

  it("lets through exactly the bypass list: roles, teams resolved to their ids, GitHub Apps", async () => {
    const run = await plan(
      withConfig(prod(), {
        "delivery:github.rulesets.bypass": {
          roles: ["maintain"],
          teams: ["release-managers"],
          apps: [123456],
        },
      }),
    );
    const team = DATA_SOURCE_MOCKS["github:index/getTeam:getTeam"](
      { slug: "release-managers" },
      {
        accountId: "123456789012",
        region: "eu-west-1",
      },
    );
    assert.deepEqual(rulesets(run)[0].bypassActors, [
      { actorId: 2, actorType: "RepositoryRole", bypassMode: "always" },
      { actorId: Number(team.id), actorType: "Team", bypassMode: "always" },
      { actorId: 123456, actorType: "Integration", bypassMode: "always" },
    ]);
  });

  it("is off by default in staging, and the summary says anyone who may push can deploy", async () => {
    const { staging: run } = await shippedPlans();
    assert.equal(rulesets(run).length, 0);
    assert.match(
      summarize(run),
      /rulesets: none; anyone who may push to the repository may create a deploy branch/,
    );
  });

  it("prints prod's ruleset in the summary with its refs and bypass list", async () => {
    const { prod: run } = await shippedPlans();
    assert.match(
      summarize(run),
      /ruleset shop-prod-deploy-tags \(active\): refs\/tags\/backend-v\*, .*only the bypass list may create, move or delete them; bypass: role admin/,
    );
  });

  it("refuses a branch ruleset that would refuse the program's own workflow commits", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:github.rulesets": { enabled: true, bypass: { roles: [] } },
        "delivery:github.commitWorkflows": true,
      }),
      "delivery:github.rulesets.bypass",
      "GitHub would refuse those commits",
    );
  });
});

describe("what the owner's GitHub plan offers", () => {
  it("refuses prod's reviewers on a private repository of a Team plan, which GitHub would refuse", async () => {
    const input = withConfig(prod(), { "delivery:github.plan": "team" });
    for (const key of ["reviewers.users", "reviewers.teams", "waitTimerMinutes"]) {
      await refusedWith(input, `delivery:github.protection.${key}`, "only GitHub Enterprise do");
    }
  });

  it("on a Team plan, prod without reviewers needs the waiver, and then plans with the warning first", async () => {
    const input = withConfig(prod(), {
      "delivery:github.plan": "team",
      "delivery:github.protection.reviewers": { users: [], teams: [] },
      "delivery:github.protection.waitTimerMinutes": 0,
    });
    await refusedWith(input, "delivery:github.protection.reviewers", "reviewer");
    const run = await plan(
      withConfig(input, { "delivery:waivers": { prodWithoutReview: WAIVER } }),
    );
    assert.ok(summarize(run).startsWith("WARNING: waived by delivery:waivers.prodWithoutReview"));
    assert.equal(rulesets(run).length, 1, "Team plans keep rulesets on private repositories");
  });

  it("accepts reviewers on a public repository of any plan", async () => {
    const run = await plan(
      withConfig(prod(), {
        "delivery:github.plan": "free",
        "delivery:github.visibility": "public",
      }),
    );
    assert.equal(rulesets(run).length, 1);
  });

  it("refuses environments on a private repository of a Free plan", async () => {
    await refusedWith(
      withConfig(staging(), { "delivery:github.plan": "free" }),
      "delivery:github.plan",
      "GitHub Free (github.plan) offers no environments",
    );
  });

  it("refuses an internal repository outside GitHub Enterprise", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:github.plan": "team",
        "delivery:github.visibility": "internal",
      }),
      "delivery:github.visibility",
      "only on GitHub Enterprise",
    );
  });
});
