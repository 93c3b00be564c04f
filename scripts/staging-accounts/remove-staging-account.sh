#!/usr/bin/env bash
# Remove a staging account from a target account (through cli.py).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
  cat <<'TEXT'
Usage: remove-staging-account.sh TARGET_ACCOUNT_ID STAGING_ACCOUNT_ID [cli.py flags]

Shows the capacity impact and asks for confirmation (on a terminal) unless --yes.

Flags passed to cli.py: --yes, --scenario FILE, --api-url URL, --format table|json,
--demo, --aws.
Exit status: 0 removed, 1 not removed or failed, 2 usage.
TEXT
}

split_args "$@"
need 2
cli staging remove "${POSITIONAL[0]}" "${POSITIONAL[1]}" ${FLAGS[@]+"${FLAGS[@]}"}
