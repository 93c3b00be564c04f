"""Every component ID of the dashboard, as constants and pattern-matching id helpers.

Container ids (marked "container") belong to an html.Div in the layout whose children a
callback fills with a renderer's output; renderers never set those ids themselves.
Graph ids belong to the layout's dcc.Graph whose `figure` a callback sets.
"""

from __future__ import annotations

# Header controls
TARGET_SELECT = "target-select"
SCOPE_SELECT = "scope-select"
AUTO_REFRESH_SWITCH = "auto-refresh-switch"
INTERVAL_SELECT = "interval-select"
REFRESH_BUTTON = "refresh-button"
LAST_UPDATED = "last-updated"  # container
COMPLETENESS_BADGE = "completeness-badge"  # container
DEMO_BADGE = "demo-badge"
SETTINGS_BUTTON = "settings-button"
EXPORT_BUTTON = "export-button"
DOWNLOAD = "csv-download"

# Timers and stores
REFRESH_INTERVAL = "refresh-interval"
SNAPSHOT_STORE = "snapshot-store"
SELECTED_ACCOUNT_STORE = "selected-account-store"
ACCOUNTS_SORT_STORE = "accounts-sort-store"
VALIDATED_STAGING_STORE = "validated-staging-store"
PENDING_REMOVAL_STORE = "pending-removal-store"

# Banners and warnings
STALE_BANNER = "stale-banner"  # container
WARNINGS_CONTAINER = "warnings-container"  # container

# Combined capacity
COMBINED_GAUGE = "combined-gauge"  # dcc.Graph
KPI_CARDS = "kpi-cards"  # container
KPI_REPLICATING = "kpi-replicating"
KPI_MAXIMUM = "kpi-maximum"
KPI_PERCENT = "kpi-percent"
KPI_AVAILABLE = "kpi-available"

# Headline: the overall status, its reason and the data's completeness
HEADLINE = "headline"  # container
HEADLINE_STATUS = "headline-status"
HEADLINE_REASON = "headline-reason"
HEADLINE_COMPLETENESS = "headline-completeness"
REGION_BULLETS = "region-bullets"  # container: one bullet per Region in use
MAIN = "main"  # the skip link's target
DATA_AGE = "data-age"  # "(12 s ago)": kept counting by assets/clock.js

# Capacity over time
HISTORY_GRAPH = "history-graph"  # dcc.Graph
HISTORY_RANGE = "history-range"  # RadioItems: days
HISTORY_FORECAST_CONTAINER = "history-forecast-container"  # container
HISTORY_FORECAST = "history-forecast"
HISTORY_EXPORT_BUTTON = "history-export-button"
HISTORY_DOWNLOAD = "history-download"  # dcc.Download: the history CSV
FORECAST_WARNINGS = "forecast-warnings"  # container: forecasts as warnings

# Recovery capacity
RECOVERY_METER = "recovery-meter"  # container
RECOVERY_PROGRESS = "recovery-progress"

# Charts
ACCOUNT_BARS = "account-bars"  # dcc.Graph
ACCOUNT_BARS_STACK = "account-bars-stack"  # RadioItems: "region" | "state"
REGION_BARS = "region-bars"  # dcc.Graph

# Accounts table: a sortable dbc.Table; the name in each row opens the details modal
ACCOUNTS_TABLE = "accounts-table"  # container
ACCOUNT_DETAILS_TYPE = "account-details"
ACCOUNTS_SORT_TYPE = "accounts-sort"

# Details modal
DETAILS_MODAL = "details-modal"
DETAILS_TITLE = "details-title"
DETAILS_BODY = "details-body"
DETAILS_CLOSE = "details-close"
PLANNING_INPUT = "planning-servers-to-add"
PLANNING_RESULT = "planning-result"

# Settings modal (staging accounts of the selected target)
SETTINGS_MODAL = "settings-modal"
SETTINGS_TITLE = "settings-title"
SETTINGS_FEEDBACK = "settings-feedback"
STAGING_LIST = "staging-list"
ADD_STAGING_OPEN = "add-staging-open"
SETTINGS_CLOSE = "settings-close"
REMOVE_STAGING_TYPE = "remove-staging"

# Remove-confirm modal
REMOVE_MODAL = "remove-modal"
REMOVE_IMPACT = "remove-impact"
REMOVE_CONFIRM = "remove-confirm"
REMOVE_CANCEL = "remove-cancel"

# Add-staging modal
ADD_MODAL = "add-staging-modal"
ADD_ACCOUNT_ID = "add-account-id"
ADD_ACCOUNT_NAME = "add-account-name"
ADD_ROLE_ARN = "add-role-arn"
ADD_EXTERNAL_ID = "add-external-id"
ADD_REGION = "add-region"
ADD_ACCOUNT_ID_FEEDBACK = "add-account-id-feedback"
ADD_ACCOUNT_NAME_FEEDBACK = "add-account-name-feedback"
ADD_ROLE_ARN_FEEDBACK = "add-role-arn-feedback"
ADD_EXTERNAL_ID_FEEDBACK = "add-external-id-feedback"
ADD_REGION_FEEDBACK = "add-region-feedback"
ADD_VALIDATE = "add-validate"
ADD_SUBMIT = "add-submit"
ADD_CANCEL = "add-cancel"
VALIDATION_RESULT = "validation-result"

# API error `field` (camelCase, SPEC §7) -> (input id, feedback id) in the add modal
ADD_FIELDS: dict[str, tuple[str, str]] = {
    "accountId": (ADD_ACCOUNT_ID, ADD_ACCOUNT_ID_FEEDBACK),
    "accountName": (ADD_ACCOUNT_NAME, ADD_ACCOUNT_NAME_FEEDBACK),
    "roleArn": (ADD_ROLE_ARN, ADD_ROLE_ARN_FEEDBACK),
    "externalId": (ADD_EXTERNAL_ID, ADD_EXTERNAL_ID_FEEDBACK),
    "region": (ADD_REGION, ADD_REGION_FEEDBACK),
}


def remove_staging_id(account_id: str) -> dict[str, str]:
    """The Remove button of one staging account in the settings list."""
    return {"type": REMOVE_STAGING_TYPE, "index": account_id}


def account_details_id(account_id: str) -> dict[str, str]:
    """The button in an accounts-table row that opens that account's details."""
    return {"type": ACCOUNT_DETAILS_TYPE, "index": account_id}


def accounts_sort_id(column: str) -> dict[str, str]:
    """The header button that sorts the accounts table by `column` (a snapshot key)."""
    return {"type": ACCOUNTS_SORT_TYPE, "index": column}
