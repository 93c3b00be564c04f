"""Logging setup for the entry points: AWS libraries never log below WARNING, because
at DEBUG botocore prints request and response bodies (AssumeRole credentials included)."""

from __future__ import annotations

import logging

QUIET = ("botocore", "boto3", "urllib3", "s3transfer", "moto")


def configure_logging(level: int = logging.WARNING) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
