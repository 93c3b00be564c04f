"""create_app(settings): the Dash app, its layout and callbacks, and the REST API beside it."""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc

from services.backend import Backend, build_backend, build_operations
from services.settings import Settings

ASSETS = Path(__file__).resolve().parent / "assets"


def create_app(settings: Settings, backend: Backend | None = None) -> dash.Dash:
    """A fresh app over a fresh backend (or the one given); each test can build its own."""
    from dashboard.api import api_blueprint

    backend = backend or build_backend(settings)
    operations = build_operations(backend)
    app = dash.Dash(
        __name__,
        title="DRS Capacity",
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,
    )
    app.server.register_blueprint(api_blueprint(operations))
    app.layout = dbc.Container([dash.html.H1("DRS Capacity")], fluid=True)
    app.backend = backend
    app.operations = operations
    return app
