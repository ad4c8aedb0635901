/**
 * ECR repositories and the account's GitHub OIDC provider, per stage.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { lifecycleRules } from "../lib/ecrLifecycle";
import { MockCloud, MockCloudOptions } from "../scripts/mocks";
import { runOffline, startOffline } from "../scripts/offline";
import { cloud, plan, shippedStack } from "./hooks";
import { AUD, ofType, trustAdmits, trustOf, withConfig } from "./support";

const LOOKUP = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider";

/** The offline cloud of an account whose GitHub OIDC provider lists these audiences. */
class CloudWithAudiences extends MockCloud {
  constructor(
    options: MockCloudOptions,
    private readonly audiences: readonly string[],
  ) {
    super(options);
  }

  override call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const answer = super.call(args);
    return args.token === LOOKUP ? { ...answer, clientIdLists: [...this.audiences] } : answer;
  }
}

const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

/** Every way a stack uses a provider it did not create: by URL, by configured ARN, adopted. */
const EXISTING_PROVIDER = () => [
  shippedStack("prod"),
  withConfig(shippedStack("prod"), { "delivery:oidc": { mode: "existing", arn: PROVIDER_ARN } }),
  withConfig(shippedStack("staging"), { "delivery:adopt.oidcProvider": PROVIDER_ARN }),
];

describe("ECR repositories", () => {
  it("gives every service its own repository named <app>-<stage>-<service>, scanned on push", async () => {
    for (const stack of ["staging", "prod"] as const) {
      const repos = ofType(await plan(shippedStack(stack)), "aws:ecr/repository:Repository");
      assert.deepEqual(repos.map((r) => r.inputs.name).sort(), [
        `shop-${stack}-backend`,
        `shop-${stack}-frontend`,
      ]);
      for (const r of repos)
        assert.deepEqual(r.inputs.imageScanningConfiguration, { scanOnPush: true });
    }
  });

  it("makes prod tags immutable and prod repositories protected, never force-deleted", async () => {
    const prod = ofType(await plan(shippedStack("prod")), "aws:ecr/repository:Repository");
    for (const r of prod) {
      assert.equal(r.inputs.imageTagMutability, "IMMUTABLE");
      assert.equal(r.options.protect, true);
      assert.equal(r.inputs.forceDelete, false);
    }
    const staging = ofType(await plan(shippedStack("staging")), "aws:ecr/repository:Repository");
    for (const r of staging) {
      assert.equal(r.inputs.imageTagMutability, "MUTABLE");
      assert.equal(r.options.protect, false);
    }
  });

  it("expires untagged images and keeps the newest N, as configured", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:ecr.untaggedExpiryDays": 3,
        "delivery:ecr.keepLastImages": 15,
      }),
    );
    const policies = ofType(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
    assert.equal(policies.length, 2);
    for (const p of policies) {
      const { rules } = JSON.parse(String(p.inputs.policy)) as ReturnType<typeof lifecycleRules>;
      const untagged = rules.find((r) => r.selection.tagStatus === "untagged");
      const any = rules.find((r) => r.selection.tagStatus === "any");
      assert.equal(untagged?.selection.countNumber, 3);
      assert.equal(untagged?.selection.countType, "sinceImagePushed");
      assert.equal(any?.selection.countNumber, 15);
      assert.ok(
        (any?.rulePriority ?? 0) > (untagged?.rulePriority ?? 0),
        "the tagStatus=any rule must come last",
      );
    }
  });

  it("encrypts with AES256 by default and with the configured KMS key otherwise", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const aes = ofType(await plan(shippedStack("staging")), "aws:ecr/repository:Repository")[0];
    assert.deepEqual(aes.inputs.encryptionConfigurations, [{ encryptionType: "AES256" }]);
    const kms = ofType(
      await plan(withConfig(shippedStack("staging"), { "delivery:ecr.kmsKeyArn": key })),
      "aws:ecr/repository:Repository",
    )[0];
    assert.deepEqual(kms.inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: key }]);
  });

  it("uses a configured repository name", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:services.backend.repositoryName": "shop-backend",
      }),
    );
    assert.ok(
      ofType(run, "aws:ecr/repository:Repository").some((r) => r.inputs.name === "shop-backend"),
    );
  });
});

describe("GitHub OIDC provider", () => {
  it("is created by the stack that says create, for GitHub's issuer and the STS audience, and kept on destroy", async () => {
    const run = await plan(shippedStack("staging"));
    const [provider] = ofType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    assert.equal(provider.inputs.url, "https://token.actions.githubusercontent.com");
    assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    assert.equal(provider.options.retainOnDelete, true);
    assert.equal(run.calls.filter((c) => c.token.includes("getOpenIdConnectProvider")).length, 0);
  });

  it("is only looked up (by URL) by a stack that says existing, so two stacks never both create it", async () => {
    const run = await plan(shippedStack("prod"));
    assert.equal(ofType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
    const lookups = run.calls.filter((c) => c.token === LOOKUP);
    assert.deepEqual(
      lookups.map((c) => c.inputs),
      [{ url: "https://token.actions.githubusercontent.com" }],
    );
    assert.equal(
      run.outputs.oidcProviderArn,
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    );
  });

  it("is refused when it exists but does not admit the STS audience, looked up, configured or adopted, since no role could be assumed through it", async () => {
    const other = new CloudWithAudiences(cloud.options, ["sigstore"]);
    try {
      for (const input of EXISTING_PROVIDER()) {
        await assert.rejects(
          runOffline(other, input),
          new RegExp(`the GitHub OIDC provider ${PROVIDER_ARN} does not list the audience ${AUD}`),
          input.stack,
        );
        assert.ok(other.calls.some((c) => c.token === LOOKUP));
      }
    } finally {
      // Back to the suite's cloud (tests/hooks.ts), as every other test expects.
      await startOffline(cloud, shippedStack("staging"));
    }
  });

  it("is accepted when it admits the STS audience among other tools' audiences", async () => {
    const shared = new CloudWithAudiences(cloud.options, ["sigstore", "sts.amazonaws.com"]);
    try {
      for (const input of EXISTING_PROVIDER()) {
        const run = await runOffline(shared, input);
        assert.equal(run.outputs.oidcProviderArn, PROVIDER_ARN, input.stack);
      }
    } finally {
      await startOffline(cloud, shippedStack("staging"));
    }
  });

  it("is looked up by ARN when one is configured, and the deploy role trusts that ARN", async () => {
    const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const run = await plan(
      withConfig(shippedStack("prod"), { "delivery:oidc": { mode: "existing", arn } }),
    );
    const lookups = run.calls.filter((c) => c.token === LOOKUP);
    assert.deepEqual(
      lookups.map((c) => c.inputs),
      [{ arn }],
    );
    assert.equal(run.outputs.oidcProviderArn, arn);
    assert.equal(ofType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
    const trust = trustOf(run);
    const claims = { sub: "repo:acme/shop:environment:production", aud: AUD };
    assert.ok(trustAdmits(trust, { ...claims, providerArn: arn }));
    assert.equal(
      trustAdmits(trust, {
        ...claims,
        providerArn: "arn:aws:iam::123456789012:oidc-provider/example.com",
      }),
      false,
    );
  });
});
