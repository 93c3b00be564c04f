"""The DescribeSourceServers parser that keeps only what the count reads
(services/counting_parser.py): the same counts as botocore's full parse, on any page."""

from __future__ import annotations

import json

import botocore.session
from botocore.parsers import RestJSONParser
from hypothesis import given, settings
from hypothesis import strategies as st

from services.collector import count_servers
from services.counting_parser import READ_MEMBERS, CountingParser, CountingParserFactory
from services.settings import REPLICATION_STATES, Settings

MODEL = botocore.session.get_session().get_service_model("drs")
OPERATION = MODEL.operation_model("DescribeSourceServers")
NON_REPLICATING = Settings().non_replicating_states


def response(body: dict, status: int = 200) -> dict:
    return {"body": json.dumps(body).encode(), "headers": {}, "status_code": status}


def full_record(index: int, state: str | None, staging: str | None) -> dict:
    """A record with many of the fields real answers carry, beside the counted ones."""
    record = {
        "sourceServerID": f"s-{index:017x}",
        "arn": f"arn:aws:drs:us-east-1:111111111111:source-server/s-{index:017x}",
        "tags": {"team": "dr", "index": str(index)},
        "lifeCycle": {"addedToServiceDateTime": "2026-01-01T00:00:00Z"},
        "sourceProperties": {
            "cpus": [{"cores": 4, "modelName": "x86"}],
            "disks": [{"bytes": 1 << 30, "deviceName": "/dev/sda"}],
            "networkInterfaces": [{"ips": ["10.0.0.1"], "isPrimary": True}],
            "os": {"fullString": "Linux"},
            "ramBytes": 1 << 33,
        },
        "replicationDirection": "FAILOVER",
    }
    if state is not None:
        record["dataReplicationInfo"] = {
            "dataReplicationState": state,
            "lagDuration": "PT1S",
            "replicatedDisks": [{"deviceName": "/dev/sda", "totalStorageBytes": 1}],
        }
    if staging is not None:
        record["stagingArea"] = {"status": staging, "stagingAccountID": "222222222222"}
    return record


records = st.lists(
    st.tuples(
        st.none() | st.sampled_from(REPLICATION_STATES),
        st.none() | st.sampled_from(["EXTENDED", "NOT_EXTENDED", "EXTENSION_ERROR"]),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(pages=st.lists(records, min_size=1, max_size=4))
def test_the_counts_are_botocores_on_any_pages(pages):
    bodies = [
        {"items": [full_record(i, *r) for i, r in enumerate(page)], "nextToken": "t"}
        for page in pages
    ]
    shape = OPERATION.output_shape
    full = [RestJSONParser().parse(response(b), shape) for b in bodies]
    trimmed = [CountingParser().parse(response(b), shape) for b in bodies]
    assert count_servers(trimmed, "us-east-1", NON_REPLICATING) == count_servers(
        full, "us-east-1", NON_REPLICATING
    )
    assert [p.get("nextToken") for p in trimmed] == ["t"] * len(bodies)


def test_a_record_keeps_only_the_members_the_count_reads():
    body = {"items": [full_record(1, "CONTINUOUS", "EXTENDED")]}
    (record,) = CountingParser().parse(response(body), OPERATION.output_shape)["items"]
    assert record == {
        "sourceServerID": "s-00000000000000001",
        "dataReplicationInfo": {"dataReplicationState": "CONTINUOUS"},
        "stagingArea": {"status": "EXTENDED"},
    }
    assert set(record) <= set(READ_MEMBERS["SourceServer"])


def test_errors_and_other_protocols_parse_as_botocore_does():
    error = response({"message": "Account not initialized"}, status=400) | {
        "headers": {"x-amzn-errortype": "UninitializedAccountException"}
    }
    parsed = CountingParser().parse(error, OPERATION.output_shape)
    assert parsed["Error"]["Code"] == "UninitializedAccountException"
    factory = CountingParserFactory()
    assert type(factory.create_parser("rest-json")) is CountingParser
    assert type(factory.create_parser("json")).__name__ == "JSONParser"
    assert type(factory.create_parser("query")).__name__ == "QueryParser"
