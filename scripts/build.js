/**
 * Compiles the project's TypeScript to JavaScript under `build/` when the sources changed since the
 * last build, so the offline plan, the tests and the scripts start on plain Node.js: no loader
 * that transforms every module it loads. Preloaded by the commands that run from `build/`
 * (`node -r ./scripts/build.js build/scripts/plan.js`, `.mocharc.json`), it finishes before Node
 * resolves the entry point, so a stale build never runs: a fresh clone builds on its first command
 * and any edit rebuilds on the next. `node scripts/build.js` only builds.
 *
 * Plain JavaScript, because it runs before anything is compiled. Type-checking is not its job
 * (`npm test` and `npm run lint` do it): TypeScript 7 only transpiles, each file on its own
 * (`isolatedModules` in tsconfig.json guarantees that is enough), in about half a second.
 */
"use strict";
const { createHash } = require("crypto");
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..");
/** What never holds the project's sources. */
const SKIPPED = new Set(["node_modules", "build", ".git"]);
/** The compiler, in a project's node_modules. */
const COMPILER = path.join("node_modules", "typescript-7");
/** Besides its `.ts` files, what decides a project's build: its config and the compiler. */
const INPUTS = ["tsconfig.json", path.join(COMPILER, "package.json")];
/** Where a build records the fingerprint of the sources it was compiled from. */
const FINGERPRINT = ".fingerprint";

/** Every `.ts` file of the project at `root`, relative to it, sorted. */
function sourceFiles(root, dir = root) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      // build.<pid> and build.old.<pid>: another command's build on its way in or out.
      if (entry.isDirectory()) {
        return SKIPPED.has(entry.name) || entry.name.startsWith("build.")
          ? []
          : sourceFiles(root, file);
      }
      return entry.name.endsWith(".ts") ? [path.relative(root, file)] : [];
    })
    .sort();
}

/**
 * A hash of the sources' names and contents and of the compiler's inputs. Contents, not times: a
 * checkout or a copy may keep a file's time and change its text. Names too, so a deleted or
 * renamed file rebuilds (a build starts empty, so no output of a deleted file survives).
 */
function fingerprint(root) {
  const hash = createHash("sha256");
  // This script too: how it compiles is part of the build.
  hash.update(fs.readFileSync(__filename));
  for (const file of [...INPUTS, ...sourceFiles(root)]) {
    hash
      .update(`${file}\0`)
      .update(fs.readFileSync(path.join(root, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

/** The fingerprint `build` was compiled from, or undefined when it holds no complete build. */
function builtFrom(build) {
  try {
    return fs.readFileSync(path.join(build, FINGERPRINT), "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Compiles into a fresh directory and swaps it in whole, so a process that finds a fingerprint
 * finds the complete build it belongs to, and two commands that build at once do not mix outputs.
 */
function compile(root, build, expected) {
  const staging = `${build}.${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  // --noCheck --noResolve: transpile the project's own files only, without reading what they
  // import (type-checking reads 390,000 lines of declarations for that).
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(root, COMPILER, "bin", "tsc"),
      "-p",
      root,
      "--noEmit",
      "false",
      "--outDir",
      staging,
      "--rootDir",
      root,
      "--incremental",
      "false",
      "--noCheck",
      "--noResolve",
      "--sourceMap",
      "--singleThreaded",
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (tsc.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`compiling the project failed:\n${tsc.stdout}${tsc.stderr}${tsc.error ?? ""}`);
  }
  fs.writeFileSync(path.join(staging, FINGERPRINT), expected);
  // Another command may have swapped in the same build meanwhile; then keep that one. Otherwise
  // the old build is moved aside by one rename (deleting it in place takes long enough for a
  // second command to swap in its own build and lose it), and deleted once it is out of the way.
  const old = `${build}.old.${process.pid}`;
  try {
    if (builtFrom(build) === expected) return;
    try {
      fs.renameSync(build, old);
    } catch (err) {
      if (err.code !== "ENOENT") throw err;
    }
    try {
      fs.renameSync(staging, build);
    } catch (err) {
      // Another command put its build there first: fine when it is of the same sources.
      if (builtFrom(build) !== expected) throw err;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
  }
}

/**
 * Makes `<root>/build` the compiled form of the project's current sources (a no-op when it already
 * is) and returns its path; throws, leaving no build of the current sources, when they do not
 * compile.
 */
function ensureBuilt(root = ROOT) {
  const build = path.join(root, "build");
  const expected = fingerprint(root);
  if (builtFrom(build) !== expected) compile(root, build, expected);
  return build;
}

module.exports = { ensureBuilt };

ensureBuilt();
