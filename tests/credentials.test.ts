/**
 * Credentials never travel as plain values: refused by their variable's name and by what the
 * value looks like, wherever config would write them in plain text; structured config set with
 * `--secret --path` is refused unread; no refusal repeats a secret, however short.
 */
import { strict as assert } from "assert";
import { isSecretLikeName } from "../lib/credentials";
import { ConfigInput } from "../stacks/load";
import { shippedStack } from "./hooks";
import { refusal, refusedWith, withConfig, withSecret } from "./support";

const staging = () => shippedStack("staging");

/** As `pulumi config set --secret --path <path> <value>`: the whole top-level key is secret. */
function withSecretAt(base: ConfigInput, path: string, value: string): ConfigInput {
  const changed = withConfig(base, { [path]: value });
  return { ...changed, secretKeys: new Set([...changed.secretKeys, path.split(".")[0]]) };
}

const VALUES: [string, string][] = [
  ["a URL with a password", "postgres://shop:hunter2@db.internal:5432/shop"],
  ["a Stripe key", "sk_live_51HcQ2cL8wZ3JxX9kq"],
  [
    "a JSON Web Token",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  ],
];

describe("credentials as plain values", () => {
  it("knows credentials by their variable's name", () => {
    for (const name of [
      "PGPASSWORD",
      "DB_PASS",
      "SECRET_KEY_BASE",
      "API_KEYS",
      "MYSQL_PWD",
      "github_token",
    ]) {
      assert.ok(isSecretLikeName(name), name);
    }
    for (const name of [
      "NODE_ENV",
      "LOG_LEVEL",
      "API_BASE_URL",
      "PASSTHROUGH_MODE",
      "KEYBOARD_LAYOUT",
    ]) {
      assert.equal(isSecretLikeName(name), false, name);
    }
  });

  for (const name of ["PGPASSWORD", "DB_PASS", "SECRET_KEY_BASE", "API_KEYS", "MYSQL_PWD"]) {
    it(`refuses ${name} in a container's environment and as a GitHub variable`, async () => {
      await refusedWith(
        withConfig(staging(), { [`delivery:services.backend.environment.${name}`]: "x" }),
        `delivery:services.backend.environment.${name}`,
        "looks like a secret by its name",
      );
      await refusedWith(
        withConfig(staging(), { [`delivery:github.variables.${name}`]: "x" }),
        `delivery:github.variables.${name}`,
        "looks like a secret by its name",
      );
    });
  }

  for (const [kind, value] of VALUES) {
    it(`refuses ${kind} as a value, whatever the name, and never repeats it`, async () => {
      for (const [key, change] of [
        [
          "delivery:services.backend.environment.UPSTREAM",
          { "delivery:services.backend.environment.UPSTREAM": value },
        ],
        ["delivery:github.variables.UPSTREAM", { "delivery:github.variables.UPSTREAM": value }],
      ] as const) {
        const err = await refusedWith(withConfig(staging(), change), key, `looks like ${kind}`);
        assert.ok(!err.message.includes(value), err.message);
      }
    });
  }

  it("refuses a credential as a tag value", async () => {
    await refusedWith(
      withConfig(staging(), { "delivery:tags.owner": "sk_live_51HcQ2cL8wZ3JxX9kq" }),
      "delivery:tags.owner",
      "looks like a Stripe key",
    );
  });
});

describe("secret flags on structured config", () => {
  it("refuses a section a value was set in with --secret --path, without reading it", async () => {
    const value = "tok-12345";
    const err = await refusedWith(
      withSecretAt(staging(), "delivery:github.variables.UPSTREAM_TOKEN", value),
      "delivery:github",
      "is marked secret",
      "--secret",
    );
    assert.ok(!err.message.includes(value), err.message);
    // Unread: no other problem of the section is reported, so nothing of it is repeated.
    assert.equal(err.problems.filter((p) => p.startsWith("delivery:github")).length, 1);
  });

  it("never repeats a secret value in a refusal, however short", async () => {
    const short = "Sh0rt";
    const input = withSecret(
      withConfig(staging(), { [`delivery:services.${short}`]: { port: 1, healthCheckPath: "/" } }),
      "delivery:pin",
      short,
    );
    const err = await refusal(input);
    assert.ok(err.problems.length > 0);
    assert.ok(!err.message.includes(short), err.message);
  });
});
