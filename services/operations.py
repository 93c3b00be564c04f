"""The one dispatcher behind the REST API, the CLI and the Lambda entry (SPEC §7).

An operation name and a payload in, a `Response` (HTTP status + flat JSON envelope) out.
Inner code raises precise exceptions; only here do they become envelopes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services import inputs, mutes
from services.audit import audit
from services.capacity import ALL_REGIONS
from services.clock import utc_now_iso
from services.errors import InputError, NotFoundError, ProductError
from services.identity import current_identity, refusal
from services.models import public_account, to_wire
from services.planning import removal_impact

log = logging.getLogger(__name__)


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


class Operations:
    """Every operation of SPEC §7 over the store, the capacity service and the validator."""

    def __init__(
        self, store, service, validator, settings, clock=utc_now_iso, history=None,
        alerts=None,
    ):  # fmt: skip
        self._store = store
        self._history = history  # services.history.HistoryStore, or None: not kept
        self._alerts = alerts  # services.alert_monitor.AlertMonitor, or None
        self._service = service
        self._validator = validator
        self._settings = settings
        self._clock = clock
        self._handlers: dict[str, Callable[[Mapping], Response]] = {
            "get_target_accounts": self.get_target_accounts,
            "add_target_account": self.add_target_account,
            "get_target_account": self.get_target_account,
            "validate_staging_account": self.validate_staging_account,
            "add_staging_account": self.add_staging_account,
            "remove_staging_account": self.remove_staging_account,
            "get_removal_impact": self.get_removal_impact,
            "get_combined_capacity": self.get_combined_capacity,
            "export_capacity_csv": self.export_capacity_csv,
            "get_capacity_history": self.get_capacity_history,
            "export_history_csv": self.export_history_csv,
            "record_history": self.record_history,
            "get_alert_mutes": self.get_alert_mutes,
            "mute_alerts": self.mute_alerts,
            "unmute_alerts": self.unmute_alerts,
        }

    @property
    def names(self) -> list[str]:
        return list(self._handlers)

    def dispatch(self, operation: str, payload: Mapping | None = None) -> Response:
        handler = self._handlers.get(operation)
        if handler is None:
            return failure(
                InputError(f"Unknown operation {operation!r}.", field="operation")
            )
        if payload is None:
            payload = {}
        if not isinstance(payload, Mapping):
            return failure(
                InputError("The request body must be a JSON object.", field="body")
            )
        response = self._run(operation, handler, payload)
        audit(operation, payload, response.status, response.body)
        return response

    def _run(self, operation: str, handler, payload: Mapping) -> Response:
        refused = refusal(operation)  # every entry (API, Dash callback) passes here
        if refused is not None:
            log.warning("%s refused: %s", operation, refused.message)
            return failure(refused)
        try:
            return handler(payload)
        except NotFoundError as exc:
            log.info("%s failed: %s %s", operation, exc.code, exc.message)
            return failure(_about_target(exc, payload))
        except ProductError as exc:
            log.info("%s failed: %s %s", operation, exc.code, exc.message)
            return failure(exc)
        except (ClientError, BotoCoreError) as exc:  # the account store's DynamoDB
            from services.aws import classify  # boto3: not needed by the HTTP client

            error = classify(exc, operation="dynamodb")
            log.warning("%s failed: %s %s", operation, error.code, error.message)
            return failure(error)
        except Exception as exc:  # the envelope never carries a stack trace
            log.error("%s failed unexpectedly: %s", operation, type(exc).__name__)
            return failure(ProductError("Internal error; see the server log."))

    # -- target accounts ------------------------------------------------------------

    def get_target_accounts(self, payload: Mapping) -> Response:
        targets = self._store.list_targets()
        return _ok({"targetAccounts": [public_account(t) for t in targets]})

    def add_target_account(self, payload: Mapping) -> Response:
        target = inputs.target_account_input(payload, self._clock())
        created = self._store.add_target(target)
        message = f"Target account {created.account_id} added."
        return _ok({"message": message, "targetAccount": public_account(created)}, 201)

    def get_target_account(self, payload: Mapping) -> Response:
        target = self._store.get_target(_target_id(payload))
        public = public_account(target)
        return _ok(
            {"targetAccount": public, "stagingAccounts": public["stagingAccounts"]}
        )

    # -- staging accounts -----------------------------------------------------------

    def validate_staging_account(self, payload: Mapping) -> Response:
        target_id = _target_id(payload)
        account_id = inputs.account_id(_required(payload, "accountId"))
        if account_id == target_id:
            raise InputError(
                f"accountId {account_id} is the target account itself; a staging "
                "account must be a different account",
                field="accountId",
            )
        role_arn = inputs.role_arn(_required(payload, "roleArn"), account_id)
        external_id = inputs.external_id(payload.get("externalId"))
        region = inputs.region(_required(payload, "region"))
        self._store.get_target(target_id)
        result = self._validator.validate(
            account_id, role_arn, external_id, region, target_id
        )
        return _ok(result)

    def add_staging_account(self, payload: Mapping) -> Response:
        target_id = _target_id(payload)
        added_by = _added_by(payload)
        staging = inputs.staging_account_input(
            payload, target_id, added_by, self._clock()
        )
        target = self._store.add_staging(
            target_id, staging, self._settings.max_staging_accounts
        )
        self._service.invalidate(target_id)
        return _ok(
            {
                "message": f"Staging account {staging.account_id} added to {target_id}.",
                "stagingAccounts": _public_staging(target),
            },
            201,
        )

    def remove_staging_account(self, payload: Mapping) -> Response:
        target_id = _target_id(payload)
        staging_id = _staging_id(payload)
        impact = self.removal_impact(target_id, staging_id)
        target, removed = self._store.remove_staging(target_id, staging_id)
        self._service.invalidate(target_id)
        return _ok(
            {
                "message": f"Staging account {removed.account_id} removed from {target_id}.",
                "stagingAccounts": _public_staging(target),
                "impact": impact,
            }
        )

    def get_removal_impact(self, payload: Mapping) -> Response:
        target_id = _target_id(payload)
        staging_id = _staging_id(payload)
        impact = self.removal_impact(target_id, staging_id)
        if impact is None:
            raise NotFoundError(
                f"Staging account {staging_id} is not registered on target account "
                f"{target_id}",
                field="stagingAccountId",
            )
        return _ok({"impact": impact})

    def removal_impact(self, target_id: str, staging_id: str) -> dict | None:
        """The capacity effect of removing `staging_id` (None when it is not registered)."""
        target = self._store.get_target(target_id)
        if all(s.account_id != staging_id for s in target.staging_accounts):
            return None
        readings = self._service.readings(target_id)
        return removal_impact(target_id, readings, staging_id, self._service.limits)

    # -- capacity -------------------------------------------------------------------

    def get_combined_capacity(self, payload: Mapping) -> Response:
        wait = _flag(payload.get("wait"), "wait")
        answer = self._snapshot(payload, wait)
        if answer.snapshot is not None:
            self._record(answer.snapshot)
        if self._settings.refresh_wait_seconds is None or wait:
            return _ok(answer.snapshot.to_dict())  # today's shape, always a snapshot
        extra = {"refreshing": answer.refreshing}
        if answer.error is not None:
            extra["refreshError"] = to_wire(answer.error)
        if answer.snapshot is None:  # cold start: collecting, ask again shortly
            scope = payload.get("region") or ALL_REGIONS
            cold = {"targetAccountId": _target_id(payload), "scope": scope,
                    "collectedAt": None}  # fmt: skip
            return Response(202, {"success": True, **cold, **extra},
                            headers={"Retry-After": "1"})  # fmt: skip
        return _ok({**answer.snapshot.to_dict(), **extra})

    def export_capacity_csv(self, payload: Mapping) -> Response:
        from services.export import capacity_csv, csv_filename  # pandas: only here

        snapshot = self._snapshot(payload, wait=True).snapshot.to_dict()
        name = csv_filename(snapshot["targetAccountId"], snapshot["collectedAt"])
        return _csv(capacity_csv(snapshot), name)

    # -- history --------------------------------------------------------------------

    def get_capacity_history(self, payload: Mapping) -> Response:
        return _ok(self._history_answer(payload))

    def export_history_csv(self, payload: Mapping) -> Response:
        from services.history_report import history_csv, history_filename

        answer = self._history_answer(payload)
        name = history_filename(answer["targetAccountId"], answer["days"])
        return _csv(history_csv(answer), name)

    def _history_answer(self, payload: Mapping) -> dict:
        from services.clock import utc_now
        from services.history_report import history_answer  # pandas: only here

        target_id = _target_id(payload)
        self._store.get_target(target_id)  # 404 for an unknown target
        days = _days(payload.get("days"))
        if self._history is None:
            units, regions = [], []
        else:
            units, regions = self._history.points(target_id, days)
        return history_answer(target_id, units, regions, days, utc_now())

    def record_history(self, payload: Mapping) -> Response:
        """Collect the target now, wait for it and record it (cli.py watch, the
        schedule): the snapshot and whether the history took it."""
        target = {"targetAccountId": payload.get("targetAccountId"), "refresh": True}
        snapshot = self._snapshot(target, wait=True).snapshot
        return _ok({**snapshot.to_dict(), "recorded": self._record(snapshot)})

    def _record(self, snapshot) -> bool:
        """Keep the collection in the history (at most every 5 minutes); a failure to
        record is logged and never fails the read. Whether it was recorded."""
        if self._history is None:
            return False
        try:
            recorded = self._history.record_snapshot(snapshot)
        except Exception as exc:  # the history is a side record: the answer stands
            log.warning("history not recorded: %s", type(exc).__name__)
            recorded = False
        if self._alerts is not None:  # evaluated in the background (issue 12, item 6)
            self._alerts.observe(snapshot, forecast=recorded)
        return recorded

    # -- alert mutes (services/mutes.py) -----------------------------------------------

    def get_alert_mutes(self, payload: Mapping) -> Response:
        target_id, store, now = self._mutes(payload)
        return _ok(mutes.listed(store, target_id, now))

    def mute_alerts(self, payload: Mapping) -> Response:
        target_id, store, now = self._mutes(payload)
        by = _added_by(payload)
        return _ok(mutes.mute(store, target_id, payload, by, now))

    def unmute_alerts(self, payload: Mapping) -> Response:
        target_id, store, now = self._mutes(payload)
        return _ok(mutes.unmute(store, target_id, payload, now))

    def _mutes(self, payload: Mapping):
        target_id = _target_id(payload)
        self._store.get_target(target_id)  # 404 for an unknown target
        store = mutes.require(self._alerts and self._alerts.store)
        return target_id, store, self._alerts.clock()

    def _snapshot(self, payload: Mapping, wait: bool):
        """The service's answer; `wait` (CLI, Lambda, CSV) waits for the collection."""
        target_id = _target_id(payload)
        scope = payload.get("region") or ALL_REGIONS
        if scope != ALL_REGIONS:
            scope = inputs.region(scope)
            if scope not in self._settings.regions:
                raise InputError(
                    f"region {scope} is not in the dashboard's Region set; use one of "
                    f"{', '.join(self._settings.regions)} or leave region out",
                    field="region",
                )
        refresh = _flag(payload.get("refresh"), "refresh")
        # the dashboard's polls: data no older than the page's refresh interval (not a
        # route parameter; the API keeps the cache TTL)
        max_age = payload.get("maxAgeSeconds")
        if max_age is not None and (
            isinstance(max_age, bool) or not isinstance(max_age, int | float)
        ):
            raise InputError("maxAgeSeconds must be a number", field="maxAgeSeconds")
        return self._service.answer(
            target_id, scope, refresh=refresh, max_age=max_age, wait=wait
        )


def _added_by(payload: Mapping) -> str:
    """The signed-in user; only without sign-in (CLI, Lambda, AUTH=none) the caller's word,
    and then printable text only (no escape sequences, bidi overrides or objects)."""
    identity = current_identity()
    if identity is not None:
        return identity.name
    given = payload.get("addedBy")
    if given is None or given == "":
        return "api"
    if not isinstance(given, str) or not given.isprintable() or len(given) > 128:
        raise InputError(
            "addedBy must be printable text of at most 128 characters", field="addedBy"
        )
    return given


def _csv(text: str, filename: str) -> Response:
    """A CSV download: the same headers from the API, the Lambda entry and the page."""
    return Response(
        200,
        text,
        "text/csv; charset=utf-8",
        {"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _ok(body: dict, status: int = 200) -> Response:
    return Response(status, {"success": True, **body})


def _target_id(payload: Mapping) -> str:
    return inputs.account_id(_required(payload, "targetAccountId"), "targetAccountId")


def _staging_id(payload: Mapping) -> str:
    return inputs.account_id(_required(payload, "stagingAccountId"), "stagingAccountId")


def _required(payload: Mapping, name: str):
    value = payload.get(name)
    if value is None or value == "":
        raise InputError(f"{name} is required", field=name)
    return value


def _about_target(error: NotFoundError, payload: Mapping) -> NotFoundError:
    """The store names a missing target `accountId`; here it is `targetAccountId`."""
    if error.field == "accountId" and payload.get("targetAccountId") is not None:
        return NotFoundError(error.message, field="targetAccountId")
    return error


MAX_HISTORY_DAYS = 400


def _days(value) -> float:
    """`days` of history: 1 to 400 (default 7)."""
    if value is None or value == "":
        return 7
    try:
        days = float(value)
    except (TypeError, ValueError):
        raise InputError("days must be a number of days", field="days") from None
    if not 0 < days <= MAX_HISTORY_DAYS:
        raise InputError(
            f"days must be more than 0 and at most {MAX_HISTORY_DAYS}", field="days"
        )
    return int(days) if days.is_integer() else days


def _flag(value, name: str) -> bool:
    if isinstance(value, str):
        value = value.strip().lower()
    if value in (None, False, "", "false", "0", "no"):
        return False
    if value in (True, "true", "1", "yes"):
        return True
    raise InputError(f"{name} must be true or false.", field=name)


def _public_staging(target) -> list[dict]:
    return [public_account(s) for s in target.staging_accounts]
