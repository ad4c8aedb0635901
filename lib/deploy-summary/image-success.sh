# shellcheck shell=bash
# An image pushed for something else to run: no task definition, no ECS service of this stage.
{
  echo "## ${DEPLOY_SERVICE} pushed for ${DEPLOY_STACK}"
  echo
  echo "| | |"
  echo "| --- | --- |"
  echo "| Image | <code>${IMAGE}</code> |"
  echo "| Digest | <code>${digest}</code> |"
  if [ -n "${MOVING_TAG:-}" ]; then
    echo "| Moving tag | <code>${MOVING_TAG}</code> now names this image |"
  fi
} >> "$GITHUB_STEP_SUMMARY"
