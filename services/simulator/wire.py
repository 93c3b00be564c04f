"""The simulator's side of the wire: request parameters read from the HTTP request, and
answers written as the protocol's body (JSON for DRS and Service Quotas, XML for STS),
which botocore then parses as it would parse AWS's.

botocore has no public serializer for responses: these small ones cover the shapes the
simulated operations answer with (structures, lists, maps, scalars, timestamps).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
CONTENT_TYPES = {
    "json": "application/x-amz-json-1.1",
    "rest-json": "application/json",
    "query": "text/xml",
}


def protocol_of(service_model) -> str:
    return getattr(service_model, "resolved_protocol", None) or service_model.protocol


# -- requests -----------------------------------------------------------------------------


def request_params(operation_model, request) -> dict:
    """The API parameters a request carries, by member name, typed by the input shape."""
    shape = operation_model.input_shape
    if shape is None:
        return {}
    protocol = protocol_of(operation_model.service_model)
    body = _body_text(request.body)
    if protocol == "query":
        return _from_form(shape, parse_qs(body, keep_blank_values=True))
    document = json.loads(body) if body.strip() else {}
    query = parse_qs(urlsplit(request.url).query)
    params = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "querystring" and wire_name in query:
            params[name] = _scalar(member, query[wire_name][0])
        elif location == "header" and wire_name in request.headers:
            params[name] = _scalar(member, request.headers[wire_name])
        elif location is None and wire_name in document:
            params[name] = document[wire_name]
    return params


def _from_form(shape, form: dict) -> dict:
    """Top-level scalars of a query-protocol form (the simulated STS needs no more)."""
    params = {}
    for name, member in shape.members.items():
        wire_name = member.serialization.get("name", name)
        if wire_name in form and member.type_name not in ("structure", "list", "map"):
            params[name] = _scalar(member, form[wire_name][0])
    return params


def _scalar(shape, text: str):
    kind = shape.type_name
    if kind in ("integer", "long"):
        return int(text)
    if kind in ("float", "double"):
        return float(text)
    if kind == "boolean":
        return text.lower() == "true"
    return text


def _body_text(body) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes | bytearray):
        return body.decode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        body.seek(0)
        return _body_text(data)
    return str(body)


# -- answers ------------------------------------------------------------------------------


def answer_body(operation_model, parsed: dict, request_id: str) -> bytes:
    """The body AWS would send for a successful call answering `parsed`."""
    service_model = operation_model.service_model
    protocol = protocol_of(service_model)
    shape = operation_model.output_shape
    if protocol == "query":
        wrapper = shape.serialization.get("resultWrapper") if shape else None
        inner = _xml_members(shape, parsed) if shape else ""
        result = f"<{wrapper}>{inner}</{wrapper}>" if wrapper else inner
        name = f"{operation_model.name}Response"
        return _xml_document(name, result, request_id)
    if operation_model.http.get("responseCode") == 204:
        return b""
    if shape is None:
        document = {}
    elif _plain(shape):  # JSON as it is: nothing to convert, nothing out of the body
        document = parsed
    else:
        document = _json_value(shape, parsed, protocol)
    return json.dumps(document, separators=(",", ":")).encode()


def error_body(
    service_model, code: str, message: str, fields: dict, status: int, request_id: str
) -> bytes:
    """The body AWS would send for an error: the code, the message and modeled fields."""
    protocol = protocol_of(service_model)
    if protocol == "query":
        kind = "Sender" if status < 500 else "Receiver"
        error = (
            f"<Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
        )
        return _xml_document("ErrorResponse", error, request_id, metadata=False)
    shape = service_model.shape_for_error_code(code)
    document = {"__type": code} if protocol == "json" else {}
    if shape is None:
        document["message"] = message
    else:
        # rest-json DRS models `message`, json Service Quotas `Message`
        given = {"message": message, "Message": message, **fields}
        known = {k: v for k, v in given.items() if k in shape.members}
        document.update(_json_value(shape, known, protocol))
    return json.dumps(document, separators=(",", ":")).encode()


_PLAIN: dict[tuple[str, str], bool] = {}


def _plain(shape) -> bool:
    """True when a value of the shape is its own JSON body: no timestamp, blob or
    member located outside the body (or renamed), anywhere in it. Cached per shape."""
    key = (shape.type_name, shape.name)
    if key not in _PLAIN:
        _PLAIN[key] = _walk_plain(shape, set())
    return _PLAIN[key]


def _walk_plain(shape, seen: set) -> bool:
    key = (shape.type_name, shape.name)
    if key in seen:
        return True  # a recursive shape: judged where it started
    seen.add(key)
    kind = shape.type_name
    if kind == "structure":
        return all(
            not member.serialization.get("location")
            and member.serialization.get("name", name) == name
            and _walk_plain(member, seen)
            for name, member in shape.members.items()
        )
    if kind == "list":
        return _walk_plain(shape.member, seen)
    if kind == "map":
        return _walk_plain(shape.value, seen)
    return kind not in ("timestamp", "blob")


def _json_value(shape, value, protocol: str):
    kind = shape.type_name
    if kind == "structure":
        document = {}
        for name, member in shape.members.items():
            if name not in value or value[name] is None:
                continue
            if member.serialization.get("location"):  # headers, status: not in the body
                continue
            wire_name = member.serialization.get("name", name)
            document[wire_name] = _json_value(member, value[name], protocol)
        return document
    if kind == "list":
        return [_json_value(shape.member, item, protocol) for item in value]
    if kind == "map":
        return {k: _json_value(shape.value, v, protocol) for k, v in value.items()}
    if kind == "timestamp":
        return _timestamp(shape, value, "unixtimestamp")
    if kind == "blob":
        return base64.b64encode(value).decode()
    return value


def _xml_document(name: str, inner: str, request_id: str, metadata=True) -> bytes:
    tail = (
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        if metadata
        else f"<RequestId>{request_id}</RequestId>"
    )
    return f'<{name} xmlns="{STS_NAMESPACE}">{inner}{tail}</{name}>'.encode()


def _xml_members(shape, value: dict) -> str:
    parts = []
    for name, member in shape.members.items():
        if name in value and value[name] is not None:
            tag = member.serialization.get("name", name)
            parts.append(f"<{tag}>{_xml_value(member, value[name])}</{tag}>")
    return "".join(parts)


def _xml_value(shape, value) -> str:
    kind = shape.type_name
    if kind == "structure":
        return _xml_members(shape, value)
    if kind == "list":
        tag = shape.member.serialization.get("name", "member")
        return "".join(f"<{tag}>{_xml_value(shape.member, v)}</{tag}>" for v in value)
    if kind == "timestamp":
        return _timestamp(shape, value, "iso8601")
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return base64.b64encode(value).decode()
    return escape(str(value))


def _timestamp(shape, value, default: str):
    if not isinstance(value, datetime):
        return value
    when = value.astimezone(UTC)
    if shape.serialization.get("timestampFormat", default).lower() == "iso8601":
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.timestamp()
