"""Standard-mode retries accounted per account on a client shared by every account."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from types import SimpleNamespace

from botocore.hooks import HierarchicalEmitter
from botocore.retries import standard


class RetriesByIdentity:
    """botocore's standard retry handler, one per identity on one shared client.

    The standard mode's retry quota belongs to the client; shared by every account it
    would let one throttled account spend the retries of all the others. Each identity
    gets botocore's own handler (built by `register_retry_handler` on a stand-in) and
    with it its own quota, created at its first attempt that botocore would retry.
    Backoff goes through the gateway's `sleep`.

    A failure botocore would not retry (DRS not initialized in a Region: most Regions
    of most accounts) touches no quota, so it is answered as botocore's handler answers
    it, by botocore's own retry conditions, without a handler of its own: building one
    per account and client (~3,400 on a first collection of 100 accounts) was a sixth
    of that collection's CPU.
    """

    def __init__(
        self,
        client,
        max_attempts: int,
        sleep: Callable[[float], None],
        identity: Callable[[], Hashable],
    ):
        self._service_model = client.meta.service_model
        self._event = self._service_model.service_id.hyphenize()
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._identity = identity  # the key of the identity bound for this call
        self._lock = threading.Lock()
        # whether a failed attempt is retried: botocore's conditions, the same for all
        self._adapter = standard.RetryEventAdapter()
        self._conditions = standard.StandardRetryConditions(max_attempts=max_attempts)
        # identity -> (botocore's RetryHandler, the stand-in's events)
        self._handlers: dict[Hashable, tuple] = {}
        events = client.meta.events
        unique_id = f"retry-config-{self._event}"  # botocore's own handler's id
        events.unregister(f"needs-retry.{self._event}", unique_id=unique_id)
        events.register(
            f"needs-retry.{self._event}", self.needs_retry, unique_id=unique_id
        )
        events.register(
            f"after-call.{self._event}",
            self.after_call,
            unique_id=f"retry-release-{self._event}",
        )

    def needs_retry(self, response=None, caught_exception=None, **kwargs):
        succeeded = caught_exception is None and (
            response is not None and response[0].status_code < 300
        )
        found = self._handler(create=False)
        if found is None:
            if succeeded:
                return None  # nothing to retry or account
            if not self._retried(response, caught_exception, kwargs):
                return None
            found = self._handler(create=True)
        delay = found[0].needs_retry(
            response=response, caught_exception=caught_exception, **kwargs
        )
        if delay is None or delay is False:
            return delay
        self._sleep(delay)
        return 0  # retry now: the backoff is slept

    def _retried(self, response, caught_exception, kwargs) -> bool:
        """Whether botocore would retry this failed attempt; when not, the answer is
        adapted as botocore's handler adapts it (its retry metadata)."""
        context = self._adapter.create_retry_context(
            response=response, caught_exception=caught_exception, **kwargs
        )
        if self._conditions.is_retryable(context):
            return True
        self._adapter.adapt_retry_response_from_context(context)
        return False

    def after_call(self, event_name: str, **kwargs):
        found = self._handler(create=False)
        if found is not None:  # gives back the quota of a successful call
            found[1].emit(event_name, **kwargs)

    def _handler(self, create: bool):
        key = self._identity()
        found = self._handlers.get(key)
        if found is None and create:
            with self._lock:
                found = self._handlers.get(key) or self._new(key)
        return found

    def _new(self, key):
        events = HierarchicalEmitter()
        stand_in = SimpleNamespace(
            meta=SimpleNamespace(service_model=self._service_model, events=events)
        )
        handler = standard.register_retry_handler(stand_in, self._max_attempts)
        found = self._handlers[key] = (handler, events)
        return found
