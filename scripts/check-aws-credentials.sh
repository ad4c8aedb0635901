#!/usr/bin/env bash
# Checks a deploy job's AWS credentials before anything touches AWS. Copied into app
# repositories as .github/scripts/check-aws-credentials.sh by the delivery program.
#
#   check-aws-credentials.sh select   decide how to authenticate; writes mode=oidc|fallback
#                                     to $GITHUB_OUTPUT, fails when nothing usable is there
#   check-aws-credentials.sh verify   after authenticating: the identity must be the deploy
#                                     role (OIDC); a break-glass use is announced and recorded
#
# Reads: AWS_ROLE_ARN, ROLE_ARN_SOURCE (where the environment keeps it, e.g. "secret AWS_ROLE_ARN"
# or "variable AWS_ROLE_TO_ASSUME"), DEPLOY_ENVIRONMENT, BREAK_GLASS_KEY_PRESENT (true when the
# environment holds the break-glass key; the key itself never reaches this script),
# CREDENTIALS_MODE.
set -euo pipefail

ROLE_ARN_PATTERN='^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$'
METRIC_NAMESPACE="CICD"
METRIC_NAME="FallbackAccessKeysUsed"
environment="${DEPLOY_ENVIRONMENT:-unknown}"
source="${ROLE_ARN_SOURCE:-secret AWS_ROLE_ARN}"

fail() {
  echo "::error title=AWS credentials::$1"
  exit 1
}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1" >> "$GITHUB_OUTPUT"; fi
  echo "$1"
}

select_mode() {
  local role="${AWS_ROLE_ARN:-}"
  if [ -n "$role" ]; then
    if ! [[ "$role" =~ $ROLE_ARN_PATTERN ]]; then
      fail "The $source of the GitHub environment '$environment' is not an IAM role ARN (expected arn:aws:iam::<12-digit account>:role/<name>). Run 'pulumi up' for this stage to rewrite it, or fix it by hand."
    fi
    output "mode=oidc"
    return
  fi
  if [ "${BREAK_GLASS_KEY_PRESENT:-false}" = "true" ]; then
    echo "::warning title=Break-glass credentials::The $source is missing from the GitHub environment '$environment'; deploying with the break-glass access keys. This use is recorded and alarmed. Restore OIDC: run 'pulumi up' for this stage."
    output "mode=fallback"
    return
  fi
  fail "The $source is missing from the GitHub environment '$environment': run 'pulumi up' for this stage (the delivery program writes it), and make sure this job names 'environment: $environment'."
}

verify_identity() {
  local mode="${CREDENTIALS_MODE:-}"
  local arn
  arn="$(aws sts get-caller-identity --query Arn --output text)" || fail "could not call sts:GetCallerIdentity with the configured credentials."
  case "$mode" in
    oidc)
      # An assumed role looks like arn:aws:sts::<account>:assumed-role/<role name>/<session>.
      local role="${AWS_ROLE_ARN:-}"
      local account="${role#*:iam::}"
      account="${account%%:*}"
      local name="${role##*:role/}"
      name="${name##*/}"
      local partition="${role#arn:}"
      partition="${partition%%:*}"
      local expected="arn:${partition}:sts::${account}:assumed-role/${name}/"
      if [[ "$arn" != "$expected"* ]]; then
        fail "the job runs as $arn, not as the deploy role $role of the GitHub environment '$environment'."
      fi
      echo "Authenticated as the deploy role $role."
      ;;
    fallback)
      echo "::warning title=Break-glass credentials::Deploying to '$environment' as $arn with long-lived access keys."
      aws cloudwatch put-metric-data --namespace "$METRIC_NAMESPACE" --metric-name "$METRIC_NAME" \
        --dimensions "Environment=$environment" --value 1 --unit Count \
        || fail "could not record the break-glass use in CloudWatch ($METRIC_NAMESPACE/$METRIC_NAME); refusing to deploy unrecorded."
      ;;
    *)
      fail "unknown CREDENTIALS_MODE '$mode'; run '$0 select' first."
      ;;
  esac
}

case "${1:-}" in
  select) select_mode ;;
  verify) verify_identity ;;
  *)
    echo "usage: $0 select|verify" >&2
    exit 2
    ;;
esac
