# shellcheck shell=bash
# A rollout that failed, timed out or was rolled back: the service's deployments and latest
# events, the stopped tasks' reasons and exit codes, and where the logs are.
revision="${TASK_DEFINITION_ARN##*/}"
{
  echo "## ${DEPLOY_SERVICE}: deployment to ${DEPLOY_STACK} failed"
  echo
  if [ -z "$revision" ]; then
    echo "ECS did not register the new revision of <code>${ECS_TASK_DEFINITION}</code>: the deploy step's log says why."
  else
    echo "Revision <code>${revision}</code> did not become stable: its tasks stopped, the wait timed out, or the deployment circuit breaker rolled the service back."
  fi
  if [ "$LOAD_BALANCED" = "true" ]; then
    echo "Tasks its target group finds unhealthy are stopped too: look for failed health checks in the events."
  fi
  echo
  echo "- Service: $(service_link deployments) on cluster <code>${ECS_CLUSTER}</code>"
  echo "- Logs: ${logs_link}"
  echo "- Image: <code>${IMAGE}</code> (<code>${digest}</code>)"
  echo
} >> "$GITHUB_STEP_SUMMARY"
if service=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" --query 'services[0].{deployments: deployments[].{status: status, rollout: rolloutState, reason: rolloutStateReason, taskDefinition: taskDefinition, running: runningCount, desired: desiredCount, failed: failedTasks}, events: events[:10]}' --output json 2>"$errors"); then
  block "Deployments" "$(jq -r '.deployments[]? | "\(.status) \(.taskDefinition | split("/") | last): \(.rollout // "-"), \(.running) of \(.desired) running, \(.failed) failed\(if .reason then ". " + .reason else "" end)"' <<<"$service")"
  block "Recent service events" "$(jq -r '.events[]? | "\(.createdAt)  \(.message)"' <<<"$service")"
else
  block "Service (could not be read)" "$(cat "$errors")"
fi
if listed=$(aws ecs list-tasks --cluster "$ECS_CLUSTER" --service-name "$ECS_SERVICE" --desired-status STOPPED --max-items 10 --query 'taskArns' --output json 2>"$errors"); then
  mapfile -t stopped < <(jq -r '.[]?' <<<"$listed")
  if [ "${#stopped[@]}" -eq 0 ]; then
    block "Stopped tasks" "none"
  elif tasks=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "${stopped[@]}" --query 'tasks[].{task: taskArn, taskDefinition: taskDefinitionArn, stopCode: stopCode, reason: stoppedReason, containers: containers[].{name: name, exitCode: exitCode, reason: reason}}' --output json 2>"$errors"); then
    block "Stopped tasks (at most 10)" "$(jq -r '.[] | "\(.task | split("/") | last) (\(.taskDefinition | split("/") | last)): \(.stopCode // "-"): \(.reason // "no reason given")", (.containers[] | "  container \(.name): exit code \(.exitCode // "none")\(if .reason then ", " + .reason else "" end)")' <<<"$tasks")"
  else
    block "Stopped tasks (could not be read)" "$(cat "$errors")"
  fi
else
  block "Stopped tasks (could not be listed)" "$(cat "$errors")"
fi
