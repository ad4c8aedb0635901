# shellcheck shell=bash
# A rollout that became stable: what runs now, and where to look.
revision="${TASK_DEFINITION_ARN##*/}"
tasks="not read (see this step's log)"
target_group=""
if service=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" --query 'services[0].{running: runningCount, desired: desiredCount, targetGroups: loadBalancers[].targetGroupArn}' --output json); then
  tasks=$(jq -r '"\(.running) of \(.desired) tasks running"' <<<"$service")
  target_group=$(jq -r '.targetGroups[0] // empty' <<<"$service")
fi
{
  echo "## ${DEPLOY_SERVICE} deployed to ${DEPLOY_STACK}"
  echo
  echo "| | |"
  echo "| --- | --- |"
  echo "| Image | <code>${IMAGE}</code> |"
  echo "| Digest | <code>${digest}</code> |"
  echo "| Task definition | <code>${revision}</code> |"
  echo "| Service | $(service_link health) on cluster <code>${ECS_CLUSTER}</code>: ${tasks} |"
  echo "| Logs | ${logs_link} |"
  if [ "$LOAD_BALANCED" = "true" ] && [ -n "$target_group" ]; then
    name="${target_group#*:targetgroup/}"
    echo "| Load balancer | target group $(link "${name%%/*}" "/ec2/home?region=${AWS_REGION}#TargetGroup:targetGroupArn=${target_group}") (its targets' health) |"
  elif [ "$LOAD_BALANCED" != "true" ]; then
    echo "| Load balancer | none: a task counts as healthy while it runs and passes its container health check |"
  fi
} >> "$GITHUB_STEP_SUMMARY"
