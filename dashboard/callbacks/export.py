"""CSV export of the snapshot on screen: the same bytes as the API's CSV."""

from __future__ import annotations

import dash
from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from components import ids
from dashboard.context import DashboardContext
from services.export import capacity_csv, csv_filename


def register(app: dash.Dash, context: DashboardContext) -> None:
    @app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.EXPORT_BUTTON, "n_clicks"),
        State(ids.SNAPSHOT_STORE, "data"),
        prevent_initial_call=True,
    )
    def export(_clicks, store):
        return download_for(context.snapshot_for(store))


def download_for(snapshot: dict | None) -> dict:
    if snapshot is None:
        raise PreventUpdate
    name = csv_filename(snapshot["targetAccountId"], snapshot["collectedAt"])
    return {"content": capacity_csv(snapshot), "filename": name, "type": "text/csv"}
