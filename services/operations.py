"""The one dispatcher behind the REST API, the CLI and the Lambda entry (SPEC §7).

An operation name and a payload in, a `Response` (HTTP status + flat JSON envelope) out.
Inner code raises precise exceptions; only here do they become envelopes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from services import inputs
from services import payload as fields
from services.audit import audit
from services.capacity import ALL_REGIONS
from services.clock import utc_now_iso
from services.errors import InputError, NotFoundError, ProductError
from services.identity import refusal
from services.models import public_account, to_wire
from services.over_time import OverTime
from services.planning import removal_impact
from services.responses import Response, csv_download, failure, ok

log = logging.getLogger(__name__)


class Operations:
    """Every operation of SPEC §7 over the store, the capacity service and the validator."""

    def __init__(
        self, store, service, validator, settings, clock=utc_now_iso, history=None,
        alerts=None,
    ):  # fmt: skip
        self._store = store
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
        }
        # history, recording, mutes (issue 12): history None keeps none
        self._over_time = OverTime(store, history, alerts, self._snapshot)
        self._handlers |= self._over_time.handlers

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
        return ok({"targetAccounts": [public_account(t) for t in targets]})

    def add_target_account(self, payload: Mapping) -> Response:
        target = inputs.target_account_input(payload, self._clock())
        created = self._store.add_target(target)
        message = f"Target account {created.account_id} added."
        return ok({"message": message, "targetAccount": public_account(created)}, 201)

    def get_target_account(self, payload: Mapping) -> Response:
        target = self._store.get_target(fields.target_id(payload))
        public = public_account(target)
        return ok(
            {"targetAccount": public, "stagingAccounts": public["stagingAccounts"]}
        )

    # -- staging accounts -----------------------------------------------------------

    def validate_staging_account(self, payload: Mapping) -> Response:
        target_id = fields.target_id(payload)
        account_id = inputs.account_id(fields.required(payload, "accountId"))
        if account_id == target_id:
            raise InputError(
                f"accountId {account_id} is the target account itself; a staging "
                "account must be a different account",
                field="accountId",
            )
        role_arn = inputs.role_arn(fields.required(payload, "roleArn"), account_id)
        external_id = inputs.external_id(payload.get("externalId"))
        region = inputs.region(fields.required(payload, "region"))
        self._store.get_target(target_id)
        result = self._validator.validate(
            account_id, role_arn, external_id, region, target_id
        )
        return ok(result)

    def add_staging_account(self, payload: Mapping) -> Response:
        target_id = fields.target_id(payload)
        added_by = fields.added_by(payload)
        staging = inputs.staging_account_input(
            payload, target_id, added_by, self._clock()
        )
        target = self._store.add_staging(
            target_id, staging, self._settings.max_staging_accounts
        )
        self._service.invalidate(target_id)
        return ok(
            {
                "message": f"Staging account {staging.account_id} added to {target_id}.",
                "stagingAccounts": _public_staging(target),
            },
            201,
        )

    def remove_staging_account(self, payload: Mapping) -> Response:
        target_id = fields.target_id(payload)
        staging_id = fields.staging_id(payload)
        impact = self.removal_impact(target_id, staging_id)
        target, removed = self._store.remove_staging(target_id, staging_id)
        self._service.invalidate(target_id)
        return ok(
            {
                "message": f"Staging account {removed.account_id} removed from {target_id}.",
                "stagingAccounts": _public_staging(target),
                "impact": impact,
            }
        )

    def get_removal_impact(self, payload: Mapping) -> Response:
        target_id = fields.target_id(payload)
        staging_id = fields.staging_id(payload)
        impact = self.removal_impact(target_id, staging_id)
        if impact is None:
            raise NotFoundError(
                f"Staging account {staging_id} is not registered on target account "
                f"{target_id}",
                field="stagingAccountId",
            )
        return ok({"impact": impact})

    def removal_impact(self, target_id: str, staging_id: str) -> dict | None:
        """The capacity effect of removing `staging_id` (None when it is not registered)."""
        target = self._store.get_target(target_id)
        if all(s.account_id != staging_id for s in target.staging_accounts):
            return None
        readings = self._service.readings(target_id)
        return removal_impact(target_id, readings, staging_id, self._service.limits)

    # -- capacity -------------------------------------------------------------------

    def get_combined_capacity(self, payload: Mapping) -> Response:
        wait = fields.flag(payload.get("wait"), "wait")
        answer = self._snapshot(payload, wait)
        if answer.snapshot is not None:
            self._over_time.record(answer.snapshot)
        if self._settings.refresh_wait_seconds is None or wait:
            return ok(answer.snapshot.to_dict())  # today's shape, always a snapshot
        extra = {"refreshing": answer.refreshing}
        if answer.error is not None:
            extra["refreshError"] = to_wire(answer.error)
        if answer.snapshot is None:  # cold start: collecting, ask again shortly
            scope = payload.get("region") or ALL_REGIONS
            cold = {"targetAccountId": fields.target_id(payload), "scope": scope,
                    "collectedAt": None}  # fmt: skip
            return Response(202, {"success": True, **cold, **extra},
                            headers={"Retry-After": "1"})  # fmt: skip
        return ok({**answer.snapshot.to_dict(), **extra})

    def export_capacity_csv(self, payload: Mapping) -> Response:
        from services.export import capacity_csv, csv_filename  # pandas: only here

        snapshot = self._snapshot(payload, wait=True).snapshot.to_dict()
        name = csv_filename(snapshot["targetAccountId"], snapshot["collectedAt"])
        return csv_download(capacity_csv(snapshot), name)

    def _snapshot(self, payload: Mapping, wait: bool):
        """The service's answer; `wait` (CLI, Lambda, CSV) waits for the collection."""
        target_id = fields.target_id(payload)
        scope = payload.get("region") or ALL_REGIONS
        if scope != ALL_REGIONS:
            scope = inputs.region(scope)
            if scope not in self._settings.regions:
                raise InputError(
                    f"region {scope} is not in the dashboard's Region set; use one of "
                    f"{', '.join(self._settings.regions)} or leave region out",
                    field="region",
                )
        refresh = fields.flag(payload.get("refresh"), "refresh")
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


def _about_target(error: NotFoundError, payload: Mapping) -> NotFoundError:
    """The store names a missing target `accountId`; here it is `targetAccountId`."""
    if error.field == "accountId" and payload.get("targetAccountId") is not None:
        return NotFoundError(error.message, field="targetAccountId")
    return error


def _public_staging(target) -> list[dict]:
    return [public_account(s) for s in target.staging_accounts]
