"""What every operation answers: an HTTP status and a flat JSON envelope (SPEC §7), or
a CSV download; the same from the REST API, the CLI, the Lambda entry and the page."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.errors import ProductError


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any] | str
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return self.status < 400

    @property
    def text(self) -> str:
        """The body as sent: JSON (indent 2, keys in payload order) or the CSV text."""
        return self.body if isinstance(self.body, str) else to_json(self.body)


def to_json(body: Mapping) -> str:
    """The one JSON rendering shared by the API, the CLI and the Lambda entry."""
    return json.dumps(body, indent=2)


def failure(error: ProductError) -> Response:
    return Response(error.http_status, {"success": False, "error": error.to_dict()})


def ok(body: dict, status: int = 200) -> Response:
    return Response(status, {"success": True, **body})


def csv_download(text: str, filename: str) -> Response:
    """A CSV download: the same headers from the API, the Lambda entry and the page."""
    return Response(
        200,
        text,
        "text/csv; charset=utf-8",
        {"Content-Disposition": f'attachment; filename="{filename}"'},
    )
