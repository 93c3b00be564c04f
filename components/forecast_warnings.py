"""Forecast warnings in the warnings area: "CRITICAL in ~8 days (2026-12-15)" per account ×
Region or Region, from services/forecast_warnings.py, soonest first."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from services.models import Status


def _who(warning: dict, names: dict[str, str | None]) -> str:
    account_id, region = warning["accountId"], warning["region"]
    if account_id is None:
        return f"Combined capacity in {region}"
    name = names.get(account_id)
    return f"{name} ({account_id}) in {region}" if name else f"{account_id} in {region}"


def _action(warning: dict) -> str:
    region, date = warning["region"], warning["date"]
    if warning["level"] == Status.HYPER_CRITICAL.value:
        return f"Move replication in {region} to a staging account before {date}."
    if warning["accountId"] is None:
        return f"Add a staging account replicating in {region} before {date}."
    return f"Plan a staging account for new servers in {region} before {date}."


def forecast_alert(warning: dict, names: dict[str, str | None]) -> dbc.Alert:
    scope = "Account" if warning["accountId"] else "Combined"
    where = " · ".join(p for p in (scope, warning["accountId"], warning["region"]) if p)
    at_limit = warning["level"] == Status.HYPER_CRITICAL.value
    return dbc.Alert(
        [
            html.Div(
                [
                    html.Strong(
                        [html.Span("◷", **{"aria-hidden": "true"}), " Forecast"]
                    ),
                    html.Span(f" · {where}", className="small"),
                ]
            ),
            html.Div(f"{_who(warning, names)}: {'; '.join(warning['texts'])}."),
            html.Div([html.Strong("Action: "), _action(warning)]),
        ],
        color="danger" if at_limit else "warning",
        class_name="forecast-warning mb-2",
    )


def forecast_alerts(warnings: list[dict], names: dict[str, str | None]) -> list:
    """One alert per forecast warning; nothing when none is due within the horizon."""
    return [forecast_alert(w, names) for w in warnings]
