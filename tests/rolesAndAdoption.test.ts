/**
 * Extra roles from the deploy role's trust machinery, and adopting resources that already exist.
 */
import { strict as assert } from "assert";
import { OfflineRun } from "../scripts/offline";
import { summarize } from "../scripts/summary";

import { plan, shippedStack } from "./hooks";
import {
  allows,
  assertTrust,
  AUD,
  grantedActions,
  ofType,
  one,
  refusedWith,
  rolePolicies,
  secretArn,
  trustAdmits,
  trustOf,
  withConfig,
} from "./support";

describe("extra roles", () => {
  let prod: OfflineRun;
  before(async () => {
    prod = await plan(shippedStack("prod"));
  });

  it("lets the publishing role read exactly its one token secret and nothing else", () => {
    const docs = rolePolicies(prod, "shop-prod-publish");
    assert.ok(
      allows(docs, "secretsmanager:GetSecretValue", secretArn(prod, "shop/prod/npm-token")),
    );
    for (const other of ["jwt-secret", "database-url", "openai-key"]) {
      assert.equal(
        allows(docs, "secretsmanager:GetSecretValue", secretArn(prod, `shop/prod/${other}`)),
        false,
        other,
      );
    }
    assert.deepEqual(grantedActions(docs), ["secretsmanager:GetSecretValue"]);
  });

  it("trusts the publishing role, which reads a prod secret, only in the reviewed production environment", () => {
    assertTrust(
      trustOf(prod, "shop-publish"),
      ["repo:acme/shop:environment:production"],
      [
        "repo:acme/shop:ref:refs/tags/package-v1.2.0",
        "repo:acme/shop:ref:refs/heads/main",
        "repo:acme/other:environment:production",
      ],
    );
  });

  it("gives the preview role only reviewed preview jobs of the infrastructure repository, never a pull request, and read-only access", () => {
    const trust = trustOf(prod, "shop-preview");
    assert.ok(
      trustAdmits(trust, { sub: "repo:acme/shop-infra:environment:preview-prod", aud: AUD }),
    );
    for (const sub of [
      "repo:acme/shop-infra:pull_request",
      "repo:acme/shop:environment:preview-prod",
      "repo:acme/shop-infra:environment:preview-staging",
    ]) {
      assert.equal(trustAdmits(trust, { sub, aud: AUD }), false, sub);
    }
    const docs = rolePolicies(prod, "shop-prod-preview");
    const actions = grantedActions(docs);
    assert.ok(
      actions.every((a) => /^[a-z0-9]+:(Describe|Get|List)/.test(a)),
      actions.join(", "),
    );
    assert.ok(!actions.includes("secretsmanager:GetSecretValue"));
    assert.ok(
      allows(
        docs,
        "ecs:DescribeServices",
        "arn:aws:ecs:eu-west-1:123456789012:service/shop-prod/shop-prod-backend",
      ),
    );
    assert.equal(
      allows(
        docs,
        "ecs:DescribeServices",
        "arn:aws:ecs:eu-west-1:123456789012:service/shop-staging/shop-staging-backend",
      ),
      false,
    );
    assert.equal(
      allows(
        docs,
        "ecr:DescribeRepositories",
        "arn:aws:ecr:eu-west-1:123456789012:repository/other",
      ),
      false,
    );
  });

  it("lets a role push to exactly the repositories it names", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:roles.builder": {
          subjects: ["ref:refs/heads/main"],
          grants: { pushRepositories: ["frontend"] },
        },
      }),
    );
    const docs = rolePolicies(run, "shop-staging-builder");
    assert.ok(
      allows(
        docs,
        "ecr:PutImage",
        "arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging-frontend",
      ),
    );
    assert.equal(
      allows(
        docs,
        "ecr:PutImage",
        "arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging-backend",
      ),
      false,
    );
  });

  it("refuses pull requests on a role that can push or read secrets", async () => {
    await refusedWith(
      withConfig(shippedStack("prod"), { "delivery:roles.publish.subjects": ["pull_request"] }),
      "delivery:roles.publish.subjects[0]",
      "read-only",
    );
  });

  it("applies the deploy role's guardrails: no other repository, no bare *, no pattern without opt-in", async () => {
    const base = withConfig(shippedStack("staging"), {
      "delivery:roles.publish": {
        subjects: ["ref:refs/tags/package-v*"],
        allowSubjectPatterns: true,
        grants: { readSecrets: ["openai-key"] },
      },
    });
    await refusedWith(
      withConfig(base, { "delivery:roles.publish.subjects": ["repo:evil/shop:ref:refs/tags/x"] }),
      "delivery:roles.publish.subjects[0]",
      "evil/shop",
    );
    await refusedWith(
      withConfig(base, { "delivery:roles.publish.subjects": ["*"] }),
      "delivery:roles.publish.subjects[0]",
      "every repository",
    );
    await refusedWith(
      withConfig(base, { "delivery:roles.publish.allowSubjectPatterns": false }),
      "delivery:roles.publish.subjects[0]",
      "allowSubjectPatterns",
    );
    await refusedWith(
      withConfig(base, { "delivery:roles.publish.grants.readSecrets": ["nope"] }),
      "delivery:roles.publish.grants.readSecrets[0]",
      "not declared",
    );
    await refusedWith(
      withConfig(base, { "delivery:roles.publish.grants": {} }),
      "delivery:roles.publish.grants",
      "grants nothing",
    );
  });
});

describe("adopting existing resources", () => {
  const adopt = {
    oidcProvider: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    cluster: "shop",
    repositories: { backend: "app-backend" },
    logGroups: { backend: "/ecs/app-backend" },
    secrets: {
      "openai-key": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/openai-key-Ab12Cd",
    },
  };

  it("declares imports with the existing ids, keeps them on destroy and uses their names", async () => {
    const run = await plan(withConfig(shippedStack("staging"), { "delivery:adopt": adopt }));
    const imported = run.resources
      .filter((r) => r.options.importId)
      .map((r) => [r.type, r.options.importId]);
    assert.deepEqual(
      imported.sort(),
      [
        ["aws:cloudwatch/logGroup:LogGroup", "/ecs/app-backend"],
        ["aws:ecr/repository:Repository", "app-backend"],
        ["aws:ecs/cluster:Cluster", "shop"],
        ["aws:iam/openIdConnectProvider:OpenIdConnectProvider", adopt.oidcProvider],
        ["aws:secretsmanager/secret:Secret", adopt.secrets["openai-key"]],
      ].sort(),
    );
    for (const r of run.resources.filter((x) => x.options.importId))
      assert.equal(r.options.retainOnDelete, true, r.type);
    assert.equal(
      one(run, "aws:ecr/repository:Repository", "shop-backend").inputs.name,
      "app-backend",
    );
    assert.equal(
      one(run, "aws:cloudwatch/logGroup:LogGroup", "shop-backend-logs").inputs.name,
      "/ecs/app-backend",
    );
    assert.equal(one(run, "aws:ecs/cluster:Cluster", "shop-cluster").inputs.name, "shop");
    assert.equal(
      one(run, "aws:secretsmanager/secret:Secret", "shop-openai-key").inputs.name,
      "app/openai-key",
    );
  });

  it("tells the reviewer in the plan that pulumi up imports each adopted resource, then updates it to these settings", async () => {
    const text = summarize(
      await plan(withConfig(shippedStack("staging"), { "delivery:adopt": adopt })),
    );
    for (const id of [
      adopt.oidcProvider,
      adopt.cluster,
      adopt.repositories.backend,
      adopt.logGroups.backend,
      adopt.secrets["openai-key"],
    ]) {
      assert.ok(
        text.includes(`adopts ${id}: pulumi up imports it, then updates it to these settings`),
        `the summary says what the import of ${id} does`,
      );
    }
  });

  it("never rewrites an adopted OIDC provider's audiences, and checks it already admits sts.amazonaws.com", async () => {
    const run = await plan(withConfig(shippedStack("staging"), { "delivery:adopt": adopt }));
    const provider = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "shop-oidc");
    // The import updates the provider to the declared inputs; other tools' client ids must stay.
    assert.deepEqual([...provider.options.ignoreChanges].sort(), [
      "clientIdLists",
      "thumbprintLists",
    ]);
    const lookup = run.calls.find(
      (c) => c.token === "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
    );
    assert.deepEqual(lookup?.inputs, { arn: adopt.oidcProvider });
    // A provider the stack creates itself owns its audiences.
    const created = await plan(shippedStack("staging"));
    assert.deepEqual(
      one(created, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "shop-oidc").options
        .ignoreChanges,
      [],
    );
  });

  it("keeps an adopted secret's own description, so the import matches it", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:adopt": adopt,
        "delivery:secrets.openai-key.description": "OpenAI key of the shop backend",
      }),
    );
    assert.equal(
      one(run, "aws:secretsmanager/secret:Secret", "shop-openai-key").inputs.description,
      "OpenAI key of the shop backend",
    );
  });

  it("never writes a placeholder over an adopted external secret", async () => {
    const run = await plan(withConfig(shippedStack("staging"), { "delivery:adopt": adopt }));
    assert.equal(
      ofType(run, "aws:secretsmanager/secretVersion:SecretVersion").filter(
        (v) => v.name === "shop-openai-key-version",
      ).length,
      0,
    );
  });

  it("grants the deploy role the adopted repository", async () => {
    const run = await plan(withConfig(shippedStack("staging"), { "delivery:adopt": adopt }));
    const docs = rolePolicies(run, "shop-staging-deploy");
    assert.ok(
      allows(docs, "ecr:PutImage", "arn:aws:ecr:eu-west-1:123456789012:repository/app-backend"),
    );
  });

  it("refuses adoption ids for things the stack does not declare or manage", async () => {
    const base = shippedStack("prod");
    await refusedWith(
      withConfig(base, { "delivery:adopt.repositories": { api: "app-api" } }),
      "delivery:adopt.repositories.api",
      "no service",
    );
    await refusedWith(
      withConfig(base, { "delivery:adopt.oidcProvider": adopt.oidcProvider }),
      "delivery:adopt.oidcProvider",
      "mode: create",
    );
    await refusedWith(
      withConfig(base, { "delivery:adopt.secrets": { "jwt-secret": "arn:aws:iam::1:role/x" } }),
      "delivery:adopt.secrets.jwt-secret",
      "ARN",
    );
  });
});
