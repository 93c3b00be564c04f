"""GET /metrics (issue 12, item 7) over Flask's test client: the text exposition format,
parsed with prometheus-client's parser, agrees with the capacity API's snapshot of the
same scenario; a unit not read has no invented zero; sign-in is required when it is on;
no external ID, role ARN or token appears in the output or the log; names with markup
and line breaks stay inside their label."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.security import generate_password_hash

from dashboard import create_app
from services import credentials
from services.credentials import Credential
from services.logs import QUIET
from tests.conftest import SCENARIOS, STAGING_SCENARIO, demo_backend, scenario_settings

TARGET = "111111111111"
LEVELS = {"UNKNOWN": -1, "OK": 0, "INFO": 1, "WARNING": 2, "CRITICAL": 3,
          "HYPER-CRITICAL": 4}  # fmt: skip
MARKER = "SECRET"  # in every external ID of the scenario below, nowhere else
HOSTILE_NAME = '</script><b onclick="x()">q</b> \\ {a="b"}\n# TYPE fake gauge'


def samples_of(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def sample(samples, name: str, **labels) -> float | None:
    return samples.get((f"drs_capacity_{name}", frozenset(labels.items())))


def named(samples, name: str) -> dict[frozenset, float]:
    full = f"drs_capacity_{name}"
    return {labels: v for (n, labels), v in samples.items() if n == full}


def unit_labels(account: dict, region: str) -> dict:
    return {"target_account_id": TARGET, "account_id": account["accountId"],
            "account_type": account["accountType"], "region": region}  # fmt: skip


@pytest.fixture
def client(aws_env):
    with demo_backend(STAGING_SCENARIO) as backend:
        yield create_app(backend.settings, backend).server.test_client()


def scraped(client, **kwargs) -> tuple[dict, dict]:
    """The capacity API's snapshot, then one scrape's samples (the cache is warm)."""
    snapshot = client.get(f"/api/accounts/{TARGET}/capacity").get_json()
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200, answer.text
    return snapshot, samples_of(answer.text)


# -- the format and the figures ------------------------------------------------------


def test_metrics_answers_the_text_format_not_the_dashboard_page(client):
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    assert "version=0.0.4" in answer.headers["Content-Type"]
    assert "<html" not in answer.text.lower()
    assert answer.headers["Cache-Control"] == "no-store"
    assert sample(samples_of(answer.text), "store_readable") == 1
    assert client.post("/metrics", json={}).status_code == 405  # read only


def test_openmetrics_is_answered_to_a_scraper_that_asks_for_it(client):
    client.get(f"/api/accounts/{TARGET}/capacity")
    answer = client.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert answer.headers["Content-Type"].startswith("application/openmetrics-text")
    assert answer.text.rstrip().endswith("# EOF")


def test_every_unit_agrees_with_the_capacity_snapshot(client):
    snapshot, samples = scraped(client)
    units = 0
    for account in snapshot["accounts"]:
        for unit in account["regionalBreakdown"]:
            labels = unit_labels(account, unit["region"])
            assert sample(samples, "unit_status", **labels) == LEVELS[unit["status"]]
            replicating = sample(samples, "unit_replicating_servers", **labels)
            assert replicating == unit["replicatingServers"]
            limit = sample(samples, "unit_replication_limit", **labels,
                           limit_source=unit["limitSource"])  # fmt: skip
            assert limit == unit["maxReplicating"]
            units += 1
    assert units == len(named(samples, "unit_status")) == 4
    staging = unit_labels({"accountId": "222222222222", "accountType": "staging"},
                          "us-east-1")  # fmt: skip
    assert sample(samples, "unit_replicating_servers", **staging) == 230
    assert sample(samples, "unit_status", **staging) == LEVELS["WARNING"]


def test_regions_recovery_and_overall_agree_with_the_capacity_snapshot(client):
    snapshot, samples = scraped(client)
    for region in snapshot["combinedByRegion"]:
        labels = {"target_account_id": TARGET, "region": region["region"]}
        assert (sample(samples, "region_replicating_servers", **labels)
                == region["totalReplicating"])  # fmt: skip
        assert (sample(samples, "region_replication_limit", **labels)
                == region["maxReplicating"])  # fmt: skip
        assert sample(samples, "region_status", **labels) == LEVELS[region["status"]]
    assert len(named(samples, "region_status")) == len(snapshot["combinedByRegion"])
    for recovery in snapshot["recoveryByRegion"]:
        labels = {"target_account_id": TARGET, "region": recovery["region"]}
        assert (
            sample(samples, "recovery_servers", **labels) == recovery["currentServers"]
        )
        assert (sample(samples, "recovery_limit", **labels)
                == recovery["maxRecoveryInstances"])  # fmt: skip
    assert snapshot["recoveryByRegion"]
    overall = sample(samples, "status", target_account_id=TARGET)
    assert overall == LEVELS[snapshot["status"]]
    assert sample(samples, "snapshot_available", target_account_id=TARGET) == 1
    assert sample(samples, "snapshot_age_seconds", target_account_id=TARGET) >= 0


def test_the_collections_this_process_ran_are_counted_with_their_duration(client):
    _, samples = scraped(client)
    labels = {"target_account_id": TARGET}
    count = sample(samples, "collection_duration_seconds_count", **labels)
    assert count == 1
    total = sample(samples, "collection_duration_seconds_sum", **labels)
    assert total == pytest.approx(
        sample(samples, "last_collection_seconds", **labels), abs=0.05
    )


def test_a_cold_scrape_collects_in_the_background_and_never_waits(aws_env):
    with demo_backend(STAGING_SCENARIO) as backend:
        client = create_app(backend.settings, backend).server.test_client()
        cold = samples_of(client.get("/metrics").text)
        assert sample(cold, "snapshot_available", target_account_id=TARGET) == 0
        assert not named(cold, "unit_status")
        backend.service.snapshot(TARGET)  # joins the collection the scrape began
        warm = samples_of(client.get("/metrics").text)
        assert sample(warm, "snapshot_available", target_account_id=TARGET) == 1
        assert backend.service.collections == 1


# -- faults: no invented zero ----------------------------------------------------------


def test_a_unit_not_read_is_unknown_and_has_no_server_count(aws_env):
    with demo_backend(SCENARIOS / "faults.json") as backend:
        client = create_app(backend.settings, backend).server.test_client()
        snapshot, samples = scraped(client)
    failed = [
        (account, unit)
        for account in snapshot["accounts"]
        for unit in account["regionalBreakdown"]
        if unit["state"] == "error"
    ]
    assert len(failed) == 2  # 222 in us-west-2 (throttled) and eu-west-1 (timeout)
    for account, unit in failed:
        labels = unit_labels(account, unit["region"])
        assert sample(samples, "unit_status", **labels) == LEVELS["UNKNOWN"]
        assert sample(samples, "unit_replicating_servers", **labels) is None
        assert not [k for k in samples if k[0].endswith("unit_replication_limit")
                    and ("region", unit["region"]) in k[1]]  # fmt: skip
    locked = {"target_account_id": TARGET, "account_id": "333333333333",
              "account_type": "staging"}  # fmt: skip
    assert sample(samples, "account_status", **locked) == LEVELS["UNKNOWN"]
    assert not [k for k in samples if ("account_id", "333333333333") in k[1]
                and "servers" in k[0]]  # fmt: skip
    errors = {
        dict(labels)["code"]: v for labels, v in named(samples, "unit_errors").items()
    }
    assert errors == {"AWS_THROTTLED": 1, "AWS_UNREACHABLE": 1,
                      "ROLE_NOT_ACCESSIBLE": 1}  # fmt: skip
    complete = named(samples, "region_complete")
    assert complete and set(complete.values()) == {0}  # 333 read nowhere


# -- sign-in ---------------------------------------------------------------------------


@pytest.fixture
def signed_in_app(tmp_path, aws_env):
    users, tokens = tmp_path / "users", tmp_path / "tokens"
    hashed = generate_password_hash("viewer-pw", method="pbkdf2:sha256:1000")
    credentials.put_line(
        str(users), Credential("vera", "viewer", hashed), replace=False
    )
    token = credentials.new_token()
    scraper = Credential("prometheus", "viewer", credentials.token_hash(token))
    credentials.put_line(str(tokens), scraper, replace=False)
    settings = scenario_settings(auth="basic", users_file=str(users),
                                 tokens_file=str(tokens))  # fmt: skip
    with demo_backend(settings=settings) as backend:
        yield create_app(backend.settings, backend).server.test_client(), token


def test_metrics_needs_sign_in_when_sign_in_is_on(signed_in_app):
    client, _ = signed_in_app
    answer = client.get("/metrics")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert "drs_capacity" not in answer.text
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401


def test_a_scraper_signs_in_with_an_api_token_and_a_person_with_basic(signed_in_app):
    client, token = signed_in_app
    scraper = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert scraper.status_code == 200
    assert sample(samples_of(scraper.text), "store_readable") == 1
    pair = base64.b64encode(b"vera:viewer-pw").decode()
    person = client.get("/metrics", headers={"Authorization": f"Basic {pair}"})
    assert person.status_code == 200
    assert token not in scraper.text + person.text


# -- nothing secret, nothing broken by user text ---------------------------------------


@pytest.fixture
def marked_scenario(tmp_path):
    """The staging scenario with external IDs everywhere and a hostile account name."""
    data = json.loads(STAGING_SCENARIO.read_text())
    role = "arn:aws:iam::{}:role/DRSCapacityRead"
    data["target"] |= {"roleArn": role.format(TARGET), "externalId": "ext-SECRET-1",
                       "accountName": HOSTILE_NAME}  # fmt: skip
    data["staging"][0]["externalId"] = "ext-SECRET-2"
    data["staging"][1]["externalId"] = "ext-SECRET-3"
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return path


def test_no_external_id_or_role_arn_in_the_output_or_the_log(
    marked_scenario, aws_env, caplog
):
    caplog.set_level(logging.DEBUG)
    for name in QUIET:
        caplog.set_level(logging.DEBUG, logger=name)
    with demo_backend(marked_scenario) as backend:
        client = create_app(backend.settings, backend).server.test_client()
        _, samples = scraped(client)
        text = client.get("/metrics").text
        for accept in ("application/openmetrics-text; version=1.0.0", "text/plain"):
            text += client.get("/metrics", headers={"Accept": accept}).text
    assert named(samples, "unit_status")  # the scrape saw the fleet
    for leak in (MARKER, "arn:aws", "role/", "DRSCapacityRead"):
        assert leak not in text
    assert (
        MARKER not in caplog.text
    )  # role ARNs are no secret: AWS's own logs show them


def test_markup_and_line_breaks_in_a_name_stay_inside_its_label(
    marked_scenario, aws_env
):
    with demo_backend(marked_scenario) as backend:
        client = create_app(backend.settings, backend).server.test_client()
        _, samples = scraped(client)
    families = {n for n, _ in samples}
    assert not [n for n in families if "fake" in n]
    info = {dict(labels)["account_id"]: dict(labels)["account_name"]
            for labels in named(samples, "account_info")}  # fmt: skip
    assert info[TARGET] == HOSTILE_NAME.replace("\n", " ")
    assert info["222222222222"] == "staging-01"
    target = {"target_account_id": TARGET, "account_id": TARGET,
              "account_type": "target"}  # fmt: skip
    assert sample(samples, "account_status", **target) is not None


def test_a_failing_collection_listener_never_fails_a_collection(aws_env, caplog):
    def broken(*_args):
        raise RuntimeError("observer bug")

    with demo_backend(STAGING_SCENARIO) as backend:
        client = create_app(backend.settings, backend).server.test_client()
        backend.collector.listeners.insert(0, broken)
        _, samples = scraped(client)
    assert sample(samples, "status", target_account_id=TARGET) is not None
    count = sample(samples, "collection_duration_seconds_count",
                   target_account_id=TARGET)  # fmt: skip
    assert count == 1  # the listeners after the broken one were still told
    assert "collection listener failed (RuntimeError)" in caplog.text
    assert "observer bug" not in caplog.text
