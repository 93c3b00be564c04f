#!/usr/bin/env bash
# Validate a staging account for a target account (through cli.py).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
  cat <<'TEXT'
Usage: validate-staging-account.sh TARGET_ACCOUNT_ID STAGING_ACCOUNT_ID ROLE_ARN [EXTERNAL_ID] [REGION] [cli.py flags]

Assumes ROLE_ARN (with EXTERNAL_ID), checks DRS in REGION, counts its servers and
projects the target's combined capacity with the account added. EXTERNAL_ID may be ""
or "-" for none; REGION defaults to $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1.

Flags passed to cli.py: --scenario FILE, --api-url URL, --format table|json, --demo, --aws.
Exit status: 0 valid, 1 not valid or failed, 2 usage.
TEXT
}

split_args "$@"
need 3
set -- "${POSITIONAL[@]}"
external_id="${4:-}"
region="${5:-${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}}"
args=(staging validate "$1" --account-id "$2" --role-arn "$3" --region "$region")
if [[ -n "$external_id" && "$external_id" != "-" ]]; then
  args+=(--external-id "$external_id")
fi
cli "${args[@]}" ${FLAGS[@]+"${FLAGS[@]}"}
