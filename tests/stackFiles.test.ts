/**
 * Reading a stack file offline: encrypted values cannot be decrypted here, so they must plan as
 * secrets, never as their ciphertext or as plain values.
 */
import { strict as assert } from "assert";
import { configFromStackYaml } from "../stacks/stackFiles";

const yaml = `
config:
  aws:region: eu-west-1
  delivery:app: shop
  delivery:databaseUrl:
    secure: AAABAHZ0cGxhY2Vob2xkZXI=
  delivery:github:
    repository: shop
    secrets:
      TOKEN:
        secure: AAABANlc3RlZA==
  delivery:services:
    backend:
      port: 5000
`;

describe("stack files", () => {
  const input = configFromStackYaml("staging", yaml);

  it("passes plain values as text and objects as JSON, as the engine does", () => {
    assert.equal(input.values["delivery:app"], "shop");
    assert.deepEqual(JSON.parse(input.values["delivery:services"]), { backend: { port: 5000 } });
  });

  it("plans encrypted values, top-level or nested, as secrets without their ciphertext", () => {
    assert.equal(input.values["delivery:databaseUrl"], "[encrypted in the stack file]");
    const github = JSON.parse(input.values["delivery:github"]) as { secrets: unknown };
    assert.deepEqual(github.secrets, {
      TOKEN: "[encrypted in the stack file]",
    });
    assert.deepEqual([...input.secretKeys].sort(), ["delivery:databaseUrl", "delivery:github"]);
    assert.ok(!Object.values(input.values).some((v) => v.includes("AAABA")));
  });

  it("refuses a file that is not a map with a config map", () => {
    assert.throws(
      () => configFromStackYaml("staging", "- a\n- b\n", "Pulumi.x.yaml"),
      /Pulumi\.x\.yaml: expected a YAML map/,
    );
    assert.throws(
      () => configFromStackYaml("staging", "config: [1]\n", "Pulumi.x.yaml"),
      /"config" must be a map/,
    );
  });
});
