# shellcheck shell=bash
# service_link TAB: the ECS service's console page on that tab.
service_link() {
  link "$ECS_SERVICE" "/ecs/v2/clusters/${ECS_CLUSTER}/services/${ECS_SERVICE}/$1?region=${AWS_REGION}"
}
