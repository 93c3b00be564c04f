#!/usr/bin/env bash
# Validate a staging account, then add it to a target account (through cli.py).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
  cat <<'TEXT'
Usage: add-staging-account.sh TARGET_ACCOUNT_ID STAGING_ACCOUNT_ID STAGING_ACCOUNT_NAME ROLE_ARN [EXTERNAL_ID] [REGION] [cli.py flags]

Validates the staging account (AssumeRole with the external ID, DRS in REGION), then
adds it to the target account. EXTERNAL_ID may be "" or "-" for none; REGION defaults
to $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1.

Flags passed to cli.py: --scenario FILE, --api-url URL, --format table|json,
--skip-validation, --demo, --aws.
Exit status: 0 added, 1 refused or failed, 2 usage.
TEXT
}

split_args "$@"
need 4
set -- "${POSITIONAL[@]}"
external_id="${5:-}"
region="${6:-${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}}"
args=(staging add "$1" --account-id "$2" --name "$3" --role-arn "$4" --region "$region")
if [[ -n "$external_id" && "$external_id" != "-" ]]; then
  args+=(--external-id "$external_id")
fi
cli "${args[@]}" ${FLAGS[@]+"${FLAGS[@]}"}
