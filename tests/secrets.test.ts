/**
 * Runtime secrets: where each value comes from, that Pulumi never overwrites an external one,
 * and that no value is ever visible in outputs, the plan or its summary.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { planDocument } from "../scripts/plan";
import { summarize } from "../scripts/summary";
import { plan, shippedStack } from "./hooks";
import { allows, ofType, one, refusedWith, rolePolicies, withConfig, withSecret } from "./support";

const DB_URL = "postgres://shop:correct-horse-battery-staple@db.internal:5432/shop";
/** Staging with a real-looking database URL set as an encrypted config value. */
const stagingWithDbUrl = () => withSecret(shippedStack("staging"), "delivery:databaseUrl", DB_URL);

describe("runtime secrets", () => {
  it("creates one secret per declared name, named <app>/<stage>/<name>", async () => {
    const run = await plan(shippedStack("prod"));
    assert.deepEqual(
      ofType(run, "aws:secretsmanager/secret:Secret")
        .map((s) => s.inputs.name)
        .sort(),
      [
        "shop/prod/database-url",
        "shop/prod/jwt-secret",
        "shop/prod/npm-token",
        "shop/prod/openai-key",
      ],
    );
  });

  it("generates a value of the configured length, regenerated only when the rotation counter changes", async () => {
    const run = await plan(shippedStack("staging"));
    const password = one(
      run,
      "random:index/randomPassword:RandomPassword",
      "shop-jwt-secret-value",
    );
    assert.equal(password.inputs.length, 64);
    assert.deepEqual(password.inputs.keepers, { rotation: "0" });
    const version = one(
      run,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "shop-jwt-secret-version",
    );
    assert.deepEqual(version.secretInputs, ["secretString"]);
    const rotated = await plan(
      withConfig(shippedStack("staging"), { "delivery:secrets.jwt-secret.rotation": 1 }),
    );
    assert.deepEqual(
      one(rotated, "random:index/randomPassword:RandomPassword", "shop-jwt-secret-value").inputs
        .keepers,
      {
        rotation: "1",
      },
    );
  });

  it("writes an encrypted config value to the secret, as a secret", async () => {
    const run = await plan(stagingWithDbUrl());
    const version = one(
      run,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "shop-database-url-version",
    );
    assert.equal(version.rawInputs.secretString, DB_URL);
    assert.deepEqual(version.secretInputs, ["secretString"]);
    assert.equal(version.inputs.secretString, "[secret]");
  });

  it("refuses a config-sourced secret whose value is missing or in plain text, naming the command to run", async () => {
    const missing = withConfig(shippedStack("staging"), { "delivery:databaseUrl": undefined });
    const base = withConfig(shippedStack("staging"), { "delivery:databaseUrl": DB_URL });
    const plain = {
      ...base,
      secretKeys: new Set([...base.secretKeys].filter((k) => k !== "delivery:databaseUrl")),
    };
    for (const [input, fragment] of [
      [missing, "is not set"],
      [plain, "plain text"],
    ] as const) {
      const err = await refusedWith(
        input,
        "delivery:databaseUrl",
        fragment,
        "pulumi config set --secret delivery:databaseUrl <value> --stack staging",
      );
      assert.ok(!err.message.includes("correct-horse"), "the refused value is never echoed");
    }
  });

  it("never overwrites an external secret: a placeholder is written once and later changes are ignored", async () => {
    const run = await plan(shippedStack("staging"));
    const version = one(
      run,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "shop-openai-key-version",
    );
    assert.equal(
      version.rawInputs.secretString,
      "PLACEHOLDER: set this secret's value out of band; Pulumi never overwrites it",
    );
    assert.deepEqual([...version.options.ignoreChanges].sort(), ["secretString", "versionStages"]);
    const none = await plan(
      withConfig(shippedStack("staging"), { "delivery:secrets.openai-key.placeholder": false }),
    );
    assert.equal(
      ofType(none, "aws:secretsmanager/secretVersion:SecretVersion").filter(
        (v) => v.name === "shop-openai-key-version",
      ).length,
      0,
    );
  });

  it("keeps prod secrets recoverable for at least 7 days and protected; staging may delete at once", async () => {
    for (const s of ofType(await plan(shippedStack("prod")), "aws:secretsmanager/secret:Secret")) {
      assert.ok(Number(s.inputs.recoveryWindowInDays) >= 7);
      assert.equal(s.options.protect, true);
    }
    for (const s of ofType(
      await plan(shippedStack("staging")),
      "aws:secretsmanager/secret:Secret",
    )) {
      assert.equal(s.inputs.recoveryWindowInDays, 0);
      assert.equal(s.options.protect, false);
    }
    await refusedWith(
      withConfig(shippedStack("prod"), { "delivery:secretSettings.recoveryWindowDays": 0 }),
      "delivery:secretSettings.recoveryWindowDays",
      "0 days",
    );
  });

  it("encrypts with the configured KMS key, and the execution role may decrypt only through Secrets Manager", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const run = await plan(
      withConfig(shippedStack("staging"), { "delivery:secretSettings.kmsKeyArn": key }),
    );
    for (const s of ofType(run, "aws:secretsmanager/secret:Secret"))
      assert.equal(s.inputs.kmsKeyId, key);
    const docs = rolePolicies(run, "shop-staging-backend-execution");
    const viaSecretsManager = { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" };
    assert.equal(allows(docs, "kms:Decrypt", key, viaSecretsManager), true);
    assert.equal(allows(docs, "kms:Decrypt", key), false, "not outside Secrets Manager");
    assert.equal(
      allows(docs, "kms:Decrypt", key, { "kms:ViaService": "s3.eu-west-1.amazonaws.com" }),
      false,
    );
    assert.equal(
      allows(docs, "kms:Decrypt", key.replace("1234abcd", "9999abcd"), viaSecretsManager),
      false,
      "no other key",
    );
  });

  it("shows no secret value in outputs, the plan JSON or the summary", async () => {
    const run = await plan(stagingWithDbUrl());
    const revealed = ofType(run, "aws:secretsmanager/secretVersion:SecretVersion").map((v) =>
      String(v.rawInputs.secretString),
    );
    assert.ok(revealed.includes(DB_URL));
    const everything = [
      JSON.stringify(planDocument(run)),
      summarize(run),
      JSON.stringify(run.outputs),
    ].join("\n");
    for (const value of revealed)
      assert.ok(!everything.includes(value), `a secret value leaked: ${value.slice(0, 8)}…`);
    const passwordState = one(
      run,
      "random:index/randomPassword:RandomPassword",
      "shop-jwt-secret-value",
    ).state;
    assert.equal(passwordState.result, "[secret]");
  });

  it("exports secret ARNs only, never values, as plain (not secret-tainted) outputs", async () => {
    const run = await plan(shippedStack("staging"));
    const arns = run.outputs.secretArns as Record<string, string>;
    assert.deepEqual(Object.keys(arns).sort(), ["database-url", "jwt-secret", "openai-key"]);
    for (const arn of Object.values(arns))
      assert.match(arn, /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop\/staging\//);
    for (const output of Object.values(run.rawOutputs.secretArns))
      assert.equal(await pulumi.isSecret(output), false);
  });
});
