#!/bin/sh
# The sidecar's entrypoint, and what the end-to-end tests start outside a container:
# `sipcase run`, configured by SIPCASE_* environment variables (see `sipcase --help`).
set -e
here=$(cd "$(dirname "$0")" && pwd)
exec node "$here/../dist/cli.js" run "$@"
