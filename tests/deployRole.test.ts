/**
 * The deploy role of each shipped stack: who may assume it, and what it may do.
 */
import { strict as assert } from "assert";
import { OfflineRun } from "../scripts/offline";
import { plan, shippedPlans, shippedStack } from "./hooks";
import { mayDo } from "./iam";
import {
  allows,
  assertTrust,
  AUD,
  grantedActions,
  ofType,
  one,
  rolePolicies,
  trustAdmits,
  trustOf,
  withConfig,
} from "./support";

describe("deploy role", () => {
  let staging: OfflineRun;
  let prod: OfflineRun;
  before(async () => {
    ({ staging, prod } = await shippedPlans());
  });

  it("admits the stage's GitHub environment of the app repository", () => {
    assert.ok(
      trustAdmits(trustOf(staging), { sub: "repo:acme/shop:environment:staging", aud: AUD }),
    );
    assert.ok(
      trustAdmits(trustOf(prod), { sub: "repo:acme/shop:environment:production", aud: AUD }),
    );
  });

  it("refuses branches, other repositories, forks, pull requests and other audiences", () => {
    const trust = trustOf(staging);
    for (const sub of [
      "repo:acme/shop:ref:refs/heads/feature/login",
      "repo:acme/shop:ref:refs/heads/main",
      "repo:acme/shop-evil:environment:staging",
      "repo:evil/shop:environment:staging",
      "repo:acme/shop:pull_request",
    ]) {
      assert.equal(trustAdmits(trust, { sub, aud: AUD }), false, sub);
    }
    assert.equal(
      trustAdmits(trust, { sub: "repo:acme/shop:environment:staging" }),
      false,
      "no aud claim",
    );
    assert.equal(
      trustAdmits(trust, {
        sub: "repo:acme/shop:environment:staging",
        aud: "https://github.com/acme",
      }),
      false,
    );
  });

  it("keeps the stages apart: each role refuses the other stage's environment", () => {
    assert.equal(
      trustAdmits(trustOf(staging), { sub: "repo:acme/shop:environment:production", aud: AUD }),
      false,
    );
    assert.equal(
      trustAdmits(trustOf(prod), { sub: "repo:acme/shop:environment:staging", aud: AUD }),
      false,
    );
  });

  it("trusts the OIDC provider of the account through AssumeRoleWithWebIdentity only", () => {
    for (const s of trustOf(staging).Statement) {
      assert.equal(
        s.Principal?.Federated,
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      );
      assert.equal(s.Action, "sts:AssumeRoleWithWebIdentity");
    }
  });

  it("admits extra subjects from config, exact ones exactly and patterns only when allowed", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:deployRole.subjects": [
          "ref:refs/tags/backend-v*",
          "repo:acme/shop:ref:refs/heads/main",
        ],
        "delivery:deployRole.allowSubjectPatterns": true,
      }),
    );
    assertTrust(
      trustOf(run),
      [
        "repo:acme/shop:ref:refs/tags/backend-v1.2.3",
        "repo:acme/shop:ref:refs/heads/main",
        "repo:acme/shop:environment:staging",
      ],
      [
        "repo:acme/shop:ref:refs/heads/main-hotfix",
        "repo:acme/shop:ref:refs/tags/frontend-v1.2.3",
        "repo:acme/shop-fork:ref:refs/tags/backend-v1",
      ],
    );
  });

  it("has an explicit one-hour session and the configured permissions boundary", async () => {
    assert.equal(one(staging, "aws:iam/role:Role", "shop-deploy").inputs.maxSessionDuration, 3600);
    const boundary = "arn:aws:iam::123456789012:policy/ci-boundary";
    const run = await plan(
      withConfig(shippedStack("staging"), { "delivery:deployRole.permissionsBoundary": boundary }),
    );
    assert.equal(one(run, "aws:iam/role:Role", "shop-deploy").inputs.permissionsBoundary, boundary);
  });

  it("may push to and pull from exactly this stage's repositories", () => {
    const docs = rolePolicies(staging, "shop-staging-deploy");
    for (const svc of ["backend", "frontend"]) {
      const repo = `arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging-${svc}`;
      for (const action of [
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:InitiateLayerUpload",
        "ecr:CompleteLayerUpload",
      ]) {
        assert.ok(allows(docs, action, repo), `${action} on ${svc}`);
      }
      assert.equal(
        allows(
          docs,
          "ecr:PutImage",
          `arn:aws:ecr:eu-west-1:123456789012:repository/shop-prod-${svc}`,
        ),
        false,
      );
      assert.equal(allows(docs, "ecr:DeleteRepository", repo), false);
    }
    assert.ok(allows(docs, "ecr:GetAuthorizationToken", "*"));
    assert.equal(
      allows(docs, "ecr:PutImage", "arn:aws:ecr:eu-west-1:123456789012:repository/other-app"),
      false,
    );
  });

  it("may deploy exactly this stage's services and pass exactly their task and execution roles to ECS", () => {
    const docs = rolePolicies(staging, "shop-staging-deploy");
    const service = (stage: string, svc: string) =>
      `arn:aws:ecs:eu-west-1:123456789012:service/shop-${stage}/shop-${stage}-${svc}`;
    const role = (stage: string, name: string) =>
      `arn:aws:iam::123456789012:role/shop-${stage}-${name}`;
    const toEcs = { "iam:PassedToService": "ecs-tasks.amazonaws.com" };
    for (const svc of ["backend", "frontend"]) {
      assert.ok(allows(docs, "ecs:UpdateService", service("staging", svc)));
      assert.ok(allows(docs, "ecs:DescribeServices", service("staging", svc)));
      assert.equal(allows(docs, "ecs:UpdateService", service("prod", svc)), false);
      for (const kind of ["execution", "task"]) {
        assert.ok(
          allows(docs, "iam:PassRole", role("staging", `${svc}-${kind}`), toEcs),
          `${svc}-${kind}`,
        );
        assert.equal(
          allows(docs, "iam:PassRole", role("staging", `${svc}-${kind}`), {
            "iam:PassedToService": "lambda.amazonaws.com",
          }),
          false,
        );
        assert.equal(allows(docs, "iam:PassRole", role("prod", `${svc}-${kind}`), toEcs), false);
      }
    }
    assert.equal(
      allows(docs, "iam:PassRole", role("staging", "deploy"), toEcs),
      false,
      "may not pass itself",
    );
    assert.ok(allows(docs, "ecs:RegisterTaskDefinition", "*"));
    assert.equal(allows(docs, "ecs:DeleteService", service("staging", "backend")), false);
  });

  it("may read why a deployment's tasks stopped on its own stage's cluster only (IAM simulator)", async () => {
    const cluster = (stage: string) => `arn:aws:ecs:eu-west-1:123456789012:cluster/shop-${stage}`;
    const task = (stage: string) =>
      `arn:aws:ecs:eu-west-1:123456789012:task/shop-${stage}/0123456789abcdef0123456789abcdef`;
    for (const [run, own, other] of [
      [staging, "staging", "prod"],
      [prod, "prod", "staging"],
    ] as const) {
      const docs = rolePolicies(run, `shop-${own}-deploy`);
      const service = (stage: string) =>
        `arn:aws:ecs:eu-west-1:123456789012:service/shop-${stage}/shop-${stage}-backend`;
      // list-tasks --cluster C: authorized on *, with the cluster as ecs:cluster.
      assert.equal(await mayDo(docs, "ecs:ListTasks", "*", { "ecs:cluster": cluster(own) }), true);
      assert.equal(
        await mayDo(docs, "ecs:ListTasks", "*", { "ecs:cluster": cluster(other) }),
        false,
        `ListTasks on ${other}'s cluster`,
      );
      assert.equal(await mayDo(docs, "ecs:ListTasks", "*"), false, "ListTasks naming no cluster");
      const tagged = (stage: string) => ({
        "aws:ResourceTag/app": "shop",
        "aws:ResourceTag/stage": stage,
      });
      assert.equal(await mayDo(docs, "ecs:DescribeTasks", task(own), tagged(own)), true);
      assert.equal(await mayDo(docs, "ecs:DescribeTasks", task(other), tagged(other)), false);
      assert.equal(await mayDo(docs, "ecs:DescribeTasks", task(own), tagged(other)), false);
      assert.equal(await mayDo(docs, "ecs:DescribeServices", service(own)), true);
      assert.equal(await mayDo(docs, "ecs:DescribeServices", service(other)), false);
      // Reading is all it gained: no stopping or starting tasks.
      assert.equal(await mayDo(docs, "ecs:StopTask", task(own)), false);
    }
  });

  it("grants no * action, no admin policy, and on * only the unscopable actions and ListTasks bounded to the stage's cluster", () => {
    for (const run of [staging, prod]) {
      const docs = rolePolicies(run, `shop-${run.stage.name}-deploy`);
      assert.ok(grantedActions(docs).every((a) => !a.includes("*")));
      const onStar = docs
        .flatMap((d) => d.Statement)
        .filter(
          (s) =>
            s.Effect === "Allow" &&
            (s.Resource === "*" || (Array.isArray(s.Resource) && s.Resource.includes("*"))),
        );
      assert.deepEqual(
        onStar.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort(),
        ["ecr:GetAuthorizationToken", "ecs:DescribeTaskDefinition", "ecs:ListTasks"],
      );
      // Listing a cluster's tasks is authorized on *: the condition is what bounds it.
      assert.deepEqual(onStar.find((s) => s.Action === "ecs:ListTasks")?.Condition, {
        ArnEquals: {
          "ecs:cluster": `arn:aws:ecs:eu-west-1:123456789012:cluster/shop-${run.stage.name}`,
        },
      });
      assert.equal(
        ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length,
        0,
        "no managed policies on CI roles",
      );
    }
  });

  it("reaches nothing of the other stage", () => {
    const stagingDocs = JSON.stringify(rolePolicies(staging, "shop-staging-deploy"));
    const prodDocs = JSON.stringify(rolePolicies(prod, "shop-prod-deploy"));
    assert.doesNotMatch(stagingDocs, /shop-prod/);
    assert.doesNotMatch(prodDocs, /shop-staging/);
  });
});
