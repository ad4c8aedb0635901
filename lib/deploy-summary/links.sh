# shellcheck shell=bash
# link TEXT PATH: a console link, or the text as code where the partition has no console.
link() {
  if [ -n "${AWS_CONSOLE:-}" ]; then
    printf '[%s](%s%s)' "$1" "$AWS_CONSOLE" "$2"
  else
    printf '<code>%s</code>' "$1"
  fi
}
# The log group's console page: the console escapes / as $252F in the fragment.
logs_link=$(link "$LOG_GROUP" "/cloudwatch/home?region=${AWS_REGION}#logsV2:log-groups/log-group/${LOG_GROUP//\//\$252F}")
