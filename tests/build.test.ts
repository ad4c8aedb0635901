/**
 * The build the offline plan, the scripts and the tests start from (`scripts/build.js`, preloaded
 * as `node -r ./scripts/build.js build/<entry>.js`): whatever the sources did, the command runs
 * what they say now, or nothing. Checked on a scratch project with the real script, tsconfig.json
 * and compiler.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PROJECT_DIR } from "../stacks/stackFiles";

/** A project with the product's build script and tsconfig.json, and the given sources. */
function scratchProject(sources: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "delivery-build-"));
  mkdirSync(path.join(dir, "scripts"));
  copyFileSync(
    path.join(PROJECT_DIR, "scripts", "build.js"),
    path.join(dir, "scripts", "build.js"),
  );
  copyFileSync(path.join(PROJECT_DIR, "tsconfig.json"), path.join(dir, "tsconfig.json"));
  symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
  write(dir, sources);
  return dir;
}

function write(dir: string, sources: Record<string, string>): void {
  for (const [file, text] of Object.entries(sources)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
}

/** Runs `build/index.js` as the npm scripts run their entry points. */
function run(dir: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ["-r", "./scripts/build.js", "build/index.js"], {
    cwd: dir,
    encoding: "utf8",
  });
}

/** Runs `build/index.js` in a process of its own, as several commands at once would. */
function runAsync(dir: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-r", "./scripts/build.js", "build/index.js"], {
      cwd: dir,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("the build (scripts/build.js)", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("builds a fresh clone on its first command, and runs an edited source the next time", () => {
    dir = scratchProject({
      "index.ts": 'import { answer } from "./lib/answer";\nconsole.log(`answer ${answer}`);\n',
      "lib/answer.ts": "export const answer: number = 41;\n",
    });
    assert.equal(run(dir).stdout, "answer 41\n");
    write(dir, { "lib/answer.ts": "export const answer: number = 42;\n" });
    assert.equal(run(dir).stdout, "answer 42\n");
  });

  it("lets commands started at once after an edit all run the edit, and leaves no half-built directory", async () => {
    // Enough files that swapping a build in takes a while, as it does for the project's own.
    const many = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`lib/part${i}.ts`, `export const part${i} = ${i};\n`]),
    );
    dir = scratchProject({
      ...many,
      "index.ts": 'import { answer } from "./lib/answer";\nconsole.log(`answer ${answer}`);\n',
      "lib/answer.ts": "export const answer: number = 41;\n",
    });
    assert.equal(run(dir).stdout, "answer 41\n");
    write(dir, { "lib/answer.ts": "export const answer: number = 42;\n" });
    const runs = await Promise.all(Array.from({ length: 6 }, () => runAsync(dir)));
    for (const r of runs) assert.deepEqual([r.status, r.stdout], [0, "answer 42\n"], r.stderr);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith("build")),
      ["build"],
    );
  });

  it("leaves nothing of a deleted source in the build", () => {
    dir = scratchProject({
      "index.ts": 'console.log("ok");\n',
      "lib/old.ts": "export const old = 1;\n",
    });
    assert.equal(run(dir).stdout, "ok\n");
    assert.ok(existsSync(path.join(dir, "build", "lib", "old.js")));
    rmSync(path.join(dir, "lib", "old.ts"));
    assert.equal(run(dir).stdout, "ok\n");
    assert.equal(existsSync(path.join(dir, "build", "lib", "old.js")), false);
  });

  it("runs nothing while a source does not compile, not even the last build", () => {
    dir = scratchProject({ "index.ts": 'console.log("old build");\n' });
    assert.equal(run(dir).stdout, "old build\n");
    write(dir, { "index.ts": 'console.log("new build";\n' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = run(dir);
      assert.notEqual(result.status, 0);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /compiling the project failed:[\s\S]*index\.ts/);
    }
  });
});
