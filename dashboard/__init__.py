"""create_app(settings): the Dash app, its layout and callbacks, and the REST API beside it."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import dash
import flask
from werkzeug.exceptions import HTTPException

from dashboard.metrics import install_metrics
from services.auth import install_sign_in
from services.backend import Backend, build_backend, build_operations
from services.http_guard import install_guards
from services.readiness import readiness
from services.request_log import install_request_log
from services.settings import Settings

ASSETS = Path(__file__).resolve().parent / "assets"
log = logging.getLogger(__name__)


def create_app(settings: Settings, backend: Backend | None = None) -> dash.Dash:
    """A fresh app over a fresh backend (or the one given); each test can build its own."""
    from dashboard.api import api_blueprint
    from dashboard.callbacks import register_callbacks
    from dashboard.context import DashboardContext
    from dashboard.layout import page

    backend = backend or build_backend(settings)
    operations = build_operations(backend)
    context = DashboardContext(operations, backend.settings, backend.demo)
    app = dash.Dash(
        __name__,
        title="DRS Capacity Dashboard",
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title=None,
    )
    install_request_log(app.server)  # first: it times and tags every answer
    install_guards(app.server, backend.settings)
    install_sign_in(app.server, backend.settings)
    app.server.register_blueprint(
        api_blueprint(operations, ready=lambda: readiness(backend))
    )
    install_metrics(app.server, backend)
    app.server.register_error_handler(Exception, _failed_without_traceback)

    def layout():
        targets = context.call("get_target_accounts").get("targetAccounts", [])
        return page(targets, backend.settings.regions, backend.settings, backend.demo)

    app.layout = layout
    register_callbacks(app, context)
    # Dash owns `app.backend`; ours go under drs_* names
    app.drs_backend = backend
    app.drs_operations = operations
    app.drs_context = context
    return app


def prewarm(app: dash.Dash) -> threading.Thread:
    """Collect every target's capacity once, in the background, as the app starts: the
    first page a user opens is then answered from the cache instead of waiting for a
    whole collection (the data is as fresh as the cache TTL, like any other read)."""

    def collect() -> None:
        context = app.drs_context
        targets = context.call("get_target_accounts").get("targetAccounts", [])
        for target in targets:
            context.call("get_combined_capacity", targetAccountId=target["accountId"])

    thread = threading.Thread(target=collect, name="prewarm", daemon=True)
    thread.start()
    return thread


def _failed_without_traceback(exc: Exception):
    """Any failure outside the API (a callback, a Dash route): logged by its type only,
    never with a stack trace, and answered with a plain 500."""
    if isinstance(exc, HTTPException):
        return exc
    log.error("dashboard request failed: %s", type(exc).__name__)
    return flask.Response(
        "Internal error; see the server log.", 500, mimetype="text/plain"
    )
