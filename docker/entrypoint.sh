#!/bin/sh
# The sidecar's entrypoint, and what the end-to-end tests start outside a container.
#   (no arguments), or options only    `sipcase run [options]`, configured by SIPCASE_* variables
#   a command and its arguments        that sipcase command: check, rewrite, replay, regress, uui, run
# so that `docker compose run --rm sipcase check /etc/sipcase/rules.json` runs the CLI in the image.
set -e
here=$(cd "$(dirname "$0")" && pwd)
case "${1:-}" in
  --help|-h|--version) exec node "$here/../dist/cli.js" "$@" ;;
  ""|-*) exec node "$here/../dist/cli.js" run "$@" ;;
  *) exec node "$here/../dist/cli.js" "$@" ;;
esac
