"""GET /metrics: the Prometheus exposition of services/prometheus.py's registry.

Outside /api but behind the same sign-in as every route (services/auth.py): a scraper
signs in with an API token (`Authorization: Bearer`, DRS_CAPACITY_TOKENS_FILE).
"""

from __future__ import annotations

import flask
from prometheus_client.exposition import choose_encoder

from services.prometheus import metrics_registry


def install_metrics(server: flask.Flask, backend) -> None:
    """Answer /metrics on `server` from a registry of this app's own."""
    registry = metrics_registry(
        backend, refresh_after=backend.settings.metrics_refresh_seconds
    )

    def metrics() -> flask.Response:
        encode, content_type = choose_encoder(flask.request.headers.get("Accept"))
        answer = flask.Response(encode(registry), 200, content_type=content_type)
        answer.headers["Cache-Control"] = "no-store"
        return answer

    server.add_url_rule("/metrics", "drs_metrics", metrics, methods=["GET"])
