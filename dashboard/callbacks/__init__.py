"""Every callback of the dashboard, registered on one app."""

from __future__ import annotations

from dashboard.callbacks import add, details, export, history, refresh, staging


def register_callbacks(app, context) -> None:
    for module in (refresh, export, details, staging, add, history):
        module.register(app, context)
