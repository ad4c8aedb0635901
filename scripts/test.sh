#!/usr/bin/env bash
# `npm test`: type-check the whole project once while mocha runs the compiled tests (`.mocharc.json`
# preloads scripts/build.js, which recompiles build/ first when a source changed); fails if either
# fails.
#
# The type-check uses TypeScript 7 (the native compiler, package alias `typescript-7`): it checks
# the project in about a second, where TypeScript 5's tsc takes five and competes with mocha for
# the two cores. TypeScript 5 stays what the Pulumi CLI compiles the policy pack with (through
# ts-node), so `npm run lint` type-checks with it too. Both binaries are named `tsc`, so each is called by path.
set -u
cd "$(dirname "$0")/.."
# Single-threaded: it still finishes long before mocha, and leaves mocha the other core.
node node_modules/typescript-7/bin/tsc --noEmit -p . --singleThreaded \
  --tsBuildInfoFile node_modules/.cache/delivery/tsc7.tsbuildinfo &
typecheck=$!
node_modules/.bin/mocha "$@"
tests=$?
wait "$typecheck"
types=$?
if [ "$types" -ne 0 ]; then echo "type-check failed (TypeScript 7 tsc --noEmit)" >&2; fi
if [ "$tests" -ne 0 ] || [ "$types" -ne 0 ]; then exit 1; fi
