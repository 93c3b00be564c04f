"""Delivery of alert notifications: an SNS topic and/or a Slack-compatible webhook.

Each channel is tried a few times with growing pauses; a failure is logged by channel,
attempt and kind of error only: never the webhook's URL (its path is its secret) nor a
credential. Delivery runs on the alert monitor's background thread, never in a request.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Protocol

from services.alerts import Notification

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 10.0


class Channel(Protocol):
    name: str

    def deliver(self, notification: Notification) -> None:
        """Send it, or raise."""


class DeliveryError(Exception):
    """A channel answered, but not with success (the message says how, safely)."""


class WebhookChannel:
    """POST `{"text": ...}` as JSON: Slack's incoming webhooks and their look-alikes."""

    name = "webhook"

    def __init__(self, url: Callable[[], str]):
        self._url = url  # resolved on first use: an SSM parameter is read then

    def deliver(self, notification: Notification) -> None:
        body = json.dumps({"text": notification.slack_text}).encode()
        request = urllib.request.Request(
            self._url(),
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as r:
                r.read()
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"HTTP {exc.code}") from None


class SnsChannel:
    """Publish to one SNS topic (subject and plain text)."""

    name = "sns"

    def __init__(self, client, topic_arn: str):
        self._client = client
        self._topic_arn = topic_arn

    def deliver(self, notification: Notification) -> None:
        self._client.publish(
            TopicArn=self._topic_arn,
            Subject=notification.subject,
            Message=notification.text,
        )


def ssm_parameter(client, name: str) -> Callable[[], str]:
    """The webhook URL kept in an SSM (SecureString) parameter, read once when needed."""
    cached: list[str] = []

    def url() -> str:
        if not cached:
            answer = client.get_parameter(Name=name, WithDecryption=True)
            cached.append(answer["Parameter"]["Value"])
        return cached[0]

    return url


class Notifier:
    """Sends a notification through every channel, each retried with backoff."""

    def __init__(
        self,
        channels: Sequence[Channel],
        *,
        attempts: int = 4,
        backoff_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.channels = tuple(channels)
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._sleep = sleep

    def send(self, notification: Notification) -> bool:
        """True when every channel took it."""
        results = [self._deliver(c, notification) for c in self.channels]
        return all(results)

    def _deliver(self, channel: Channel, notification: Notification) -> bool:
        for attempt in range(1, self._attempts + 1):
            try:
                channel.deliver(notification)
                return True
            except Exception as exc:  # any failure: logged safely, retried
                reason = _reason(exc)
                if attempt == self._attempts:
                    log.error(
                        "alert not delivered via %s after %d attempts: %s (%s)",
                        channel.name, attempt, reason, notification.unit.key,
                    )  # fmt: skip
                    return False
                log.warning(
                    "alert delivery via %s failed (attempt %d of %d): %s; retrying",
                    channel.name, attempt, self._attempts, reason,
                )  # fmt: skip
                self._sleep(self._backoff * 2 ** (attempt - 1))
        return False


def _reason(exc: Exception) -> str:
    """What went wrong without the URL or a credential: HTTP status, AWS error code, or
    the kind of exception."""
    if isinstance(exc, DeliveryError):
        return str(exc)
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        return f"{type(exc).__name__} {response['Error'].get('Code', '')}".strip()
    return type(exc).__name__
