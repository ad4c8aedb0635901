# shellcheck shell=bash
# A revision registered for a service no ECS service of the stage runs.
revision="${TASK_DEFINITION_ARN##*/}"
{
  echo "## ${DEPLOY_SERVICE} registered for ${DEPLOY_STACK}"
  echo
  echo "| | |"
  echo "| --- | --- |"
  echo "| Image | <code>${IMAGE}</code> |"
  echo "| Digest | <code>${digest}</code> |"
  echo "| Task definition | <code>${revision}</code>: registered only; no ECS service of this stage runs it (start it with aws ecs run-task or a schedule) |"
  echo "| Logs | ${logs_link} |"
} >> "$GITHUB_STEP_SUMMARY"
