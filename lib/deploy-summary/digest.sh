# shellcheck shell=bash
# The image's digest: the build's output, or the existing image's when the build was skipped.
digest="${BUILT_DIGEST:-${EXISTING_DIGEST:-unknown}}"
