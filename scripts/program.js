/**
 * The program as `pulumi preview` and `pulumi up` start it: `package.json`'s `main`, loaded by the
 * Node.js language host as plain JavaScript (`Pulumi.yaml`: `typescript: false`, so ts-node neither
 * loads nor compiles anything in the program's process). It makes `build/` the compiled form of the current sources
 * first (`scripts/build.js`: a no-op when it already is, a transpile-only compile otherwise), so a
 * fresh clone needs nothing but `npm ci` and an edit is always what runs; a source that does not
 * compile stops the run before any resource is declared. Type errors are `npm test`'s, `npm run
 * lint`'s and CI's to catch.
 *
 * @see https://www.pulumi.com/docs/iac/languages-sdks/javascript/ (entrypoint: package.json main)
 */
"use strict";
// Errors point at the TypeScript sources (the build writes source maps), as they did under ts-node.
process.setSourceMapsEnabled(true);
// Loading the build script builds (scripts/build.js ends by making build/ current).
require("./build.js");

module.exports = require("../build/index.js");
