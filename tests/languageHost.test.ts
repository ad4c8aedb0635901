/**
 * How `pulumi preview` and `pulumi up` start the program (the Pulumi CLI's Node.js language host,
 * reproduced by `scripts/languageHost.ts` with the SDK's own `cmd/run`): `package.json`'s main,
 * `scripts/program.js`, as plain JavaScript (`Pulumi.yaml`: `typescript: false`), which runs the
 * compiled sources, building them first when they changed. Type errors are caught before a
 * preview, by `npm test` and `npm run lint` in CI.
 */
import { strict as assert } from "assert";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { cliStartMs, nodeRuntimeOptions } from "../scripts/languageHost";
import { PROJECT_DIR } from "../stacks/stackFiles";

/** A project with the product's Pulumi.yaml, package.json, tsconfig.json and start-up scripts. */
function project(program: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "delivery-cli-"));
  for (const file of ["Pulumi.yaml", "package.json", "tsconfig.json"])
    copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
  mkdirSync(path.join(dir, "scripts"));
  for (const file of ["build.js", "program.js"])
    copyFileSync(path.join(PROJECT_DIR, "scripts", file), path.join(dir, "scripts", file));
  symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeFileSync(path.join(dir, "Pulumi.staging.yaml"), "config: {}\n");
  writeFileSync(path.join(dir, "index.ts"), program);
  return dir;
}

/** A program with a type error, declaring one component named after `name`. */
const probe = (name: string) =>
  [
    'import * as pulumi from "@pulumi/pulumi";',
    'const port: number = "5000";',
    `new pulumi.ComponentResource("delivery:test:Probe", \`${name}-\${port}\`);`,
    "",
  ].join("\n");

describe("the program under the Pulumi CLI", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("is the compiled program, as plain JavaScript: no ts-node", () => {
    const options = nodeRuntimeOptions(PROJECT_DIR);
    assert.equal(options.typescript, false);
    assert.equal(options.main, ".");
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
      main: string;
    };
    assert.equal(pkg.main, "scripts/program.js");
  });

  it("starts on a fresh clone with nothing built, and runs an edit, not the build before it", async () => {
    dir = project(probe("first"));
    // A type error does not stop it: type-checking is CI's, not every preview's.
    assert.ok((await cliStartMs(dir, "staging")) > 0);
    const built = () => readFileSync(path.join(dir ?? "", "build", "index.js"), "utf8");
    assert.match(built(), /first-/);
    writeFileSync(path.join(dir, "index.ts"), probe("second"));
    assert.ok((await cliStartMs(dir, "staging")) > 0);
    assert.match(built(), /second-/);
  });

  it("stops before declaring anything when a source does not compile", async () => {
    dir = project("export const broken = ;\n");
    await assert.rejects(cliStartMs(dir, "staging"), /compiling the project failed/);
  });
});
