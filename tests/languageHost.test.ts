/**
 * How `pulumi preview` and `pulumi up` start the program (the Pulumi CLI's Node.js language host,
 * reproduced by `scripts/languageHost.ts` with the SDK's own `cmd/run`): from the TypeScript
 * sources, through ts-node as `Pulumi.yaml` and `tsconfig.json` configure it, transpiling only.
 * Type errors are caught before a preview, by `npm test` and `npm run lint` in CI.
 */
import { strict as assert } from "assert";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { cliStartMs } from "../scripts/languageHost";
import { PROJECT_DIR } from "../stacks/stackFiles";

describe("the program under the Pulumi CLI", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("starts without type-checking: a type error does not stop it from declaring resources", async () => {
    // A project with the product's Pulumi.yaml and tsconfig.json whose program has a type error.
    dir = mkdtempSync(path.join(tmpdir(), "delivery-cli-"));
    for (const file of ["Pulumi.yaml", "tsconfig.json"])
      copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
    symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
    writeFileSync(path.join(dir, "Pulumi.staging.yaml"), "config: {}\n");
    writeFileSync(
      path.join(dir, "index.ts"),
      [
        'import * as pulumi from "@pulumi/pulumi";',
        'const port: number = "5000";',
        'new pulumi.ComponentResource("delivery:test:Probe", `probe-${port}`);',
        "",
      ].join("\n"),
    );
    assert.ok((await cliStartMs(dir, "staging")) > 0);
  });
});
