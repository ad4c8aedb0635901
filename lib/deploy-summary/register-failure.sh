# shellcheck shell=bash
# ECS refused the new revision; there is no service to ask, the register step's log says why.
{
  echo "## ${DEPLOY_SERVICE}: registering the task definition for ${DEPLOY_STACK} failed"
  echo
  echo "ECS refused the new revision of <code>${ECS_TASK_DEFINITION}</code> with image <code>${IMAGE}</code> (<code>${digest}</code>): the register step's log says why."
} >> "$GITHUB_STEP_SUMMARY"
