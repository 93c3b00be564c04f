"""Every callback of the dashboard, registered on one app."""

from __future__ import annotations

from dashboard.callbacks import add, details, export, refresh, staging


def register_callbacks(app, context) -> None:
    for module in (refresh, export, details, staging, add):
        module.register(app, context)
