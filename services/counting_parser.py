"""DescribeSourceServers answers parsed for what the count reads, not every field (issue 10).

A source server record carries dozens of nested fields (source properties, disks,
network interfaces, launch and recovery information); the collector reads three
(`collector.count_servers`). botocore's parser walks every field of every record into a
new dict first: on a forced refresh of 10 accounts × 3,000 servers that walk was about a
third of the CPU. This parser still decodes the body and still parses through
botocore's own shapes, but for a SourceServer (and the two structures the count opens)
only the members named below; every other shape, and every error answer, is parsed as
botocore would.
"""

from __future__ import annotations

from botocore.parsers import ResponseParserFactory, RestJSONParser

# shape name -> the members the product reads (collector.count_servers)
READ_MEMBERS = {
    "SourceServer": ("sourceServerID", "dataReplicationInfo", "stagingArea"),
    "DataReplicationInfo": ("dataReplicationState",),
    "StagingArea": ("status",),
}


class CountingParser(RestJSONParser):
    """rest-json (DRS) with the source server records trimmed to READ_MEMBERS.

    A page is up to 1,000 records, so the trimmed walk skips botocore's per-value
    dispatch where it would change nothing: a string in a JSON body is parsed as itself
    (only a header may carry an encoded JSON value), and a trimmed structure inside a
    trimmed structure, or in a list, is handled here directly."""

    def _handle_list(self, shape, node):
        member = shape.member
        if member.name not in READ_MEMBERS or not isinstance(node, list):
            return super()._handle_list(shape, node)
        handle = self._handle_structure
        return [None if item is None else handle(member, item) for item in node]

    def _handle_structure(self, shape, value):
        wanted = READ_MEMBERS.get(shape.name)
        if wanted is None or not isinstance(value, dict):
            return super()._handle_structure(shape, value)
        members = shape.members
        parsed = {}
        for name in wanted:
            member = members[name]
            raw = value.get(member.serialization.get("name", name))
            if raw is None:
                continue
            if member.type_name == "string" and isinstance(raw, str):
                parsed[name] = raw
            elif member.name in READ_MEMBERS:
                parsed[name] = self._handle_structure(member, raw)
            else:
                parsed[name] = self._parse_shape(member, raw)
        return parsed


class CountingParserFactory(ResponseParserFactory):
    """botocore's factory, with CountingParser for rest-json (of our services, DRS)."""

    def create_parser(self, protocol_name):
        if protocol_name == "rest-json":
            return CountingParser(**self._defaults)
        return super().create_parser(protocol_name)
