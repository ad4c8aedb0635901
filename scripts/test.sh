#!/usr/bin/env bash
# `npm test`: type-check the whole project once (tsc) while mocha runs the tests with
# transpile-only registration; the two use one core each. Fails if either fails.
set -u
cd "$(dirname "$0")/.."
node_modules/.bin/tsc --noEmit -p . &
typecheck=$!
node_modules/.bin/mocha "$@"
tests=$?
wait "$typecheck"
types=$?
if [ "$types" -ne 0 ]; then echo "type-check failed (tsc --noEmit)" >&2; fi
if [ "$tests" -ne 0 ] || [ "$types" -ne 0 ]; then exit 1; fi
