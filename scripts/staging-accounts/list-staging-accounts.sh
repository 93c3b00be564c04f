#!/usr/bin/env bash
# List the staging accounts of a target account (through cli.py).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
  cat <<'TEXT'
Usage: list-staging-accounts.sh TARGET_ACCOUNT_ID [cli.py flags]

Flags passed to cli.py: --scenario FILE, --api-url URL, --format table|json, --demo, --aws.
Exit status: 0 listed, 1 failed (e.g. unknown target), 2 usage.
TEXT
}

split_args "$@"
need 1
cli staging list "${POSITIONAL[0]}" ${FLAGS[@]+"${FLAGS[@]}"}
