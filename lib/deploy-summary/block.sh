# shellcheck shell=bash
# block TITLE TEXT: a section with TEXT verbatim (events and reasons are not markdown).
block() {
  printf '### %s\n\n~~~text\n%s\n~~~\n\n' "$1" "$2" >> "$GITHUB_STEP_SUMMARY"
}
# Where the AWS CLI's errors go, to show them instead of what could not be read.
errors=$(mktemp)
