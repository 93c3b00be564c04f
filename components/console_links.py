"""Links from an account × Region to the AWS console: its DRS source servers and its
quotas' Service Quotas pages, each opened in a new tab and named for screen readers.

The Region comes from data, so a link is built only for a string shaped like a Region
("us-east-1", "us-gov-west-1"): nothing else is ever put into a URL.
"""

from __future__ import annotations

import re

from dash import html

from components.format import account_label
from services.settings import RECOVERY_QUOTA_CODE, REPLICATION_QUOTA_CODE

REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
QUOTA_CODE_PATTERN = re.compile(r"L-[0-9A-F]{8}")
NEW_TAB = "opens in a new tab"
QUOTA_NAMES = {
    REPLICATION_QUOTA_CODE: "replication quota",
    RECOVERY_QUOTA_CODE: "recovery quota",
}


def valid_region(region) -> bool:
    return isinstance(region, str) and REGION_PATTERN.fullmatch(region) is not None


def drs_console_url(region) -> str | None:
    """The DRS console's source servers in `region`; None for anything not a Region."""
    if not valid_region(region):
        return None
    return (
        f"https://{region}.console.aws.amazon.com/drs/home"
        f"?region={region}#/sourceServers"
    )


def quota_url(region, quota_code: str = REPLICATION_QUOTA_CODE) -> str | None:
    """The Service Quotas page of DRS quota `quota_code` in `region`, or None."""
    if not valid_region(region) or not QUOTA_CODE_PATTERN.fullmatch(quota_code or ""):
        return None
    return (
        f"https://{region}.console.aws.amazon.com/servicequotas/home/services/drs/"
        f"quotas/{quota_code}"
    )


def external_link(text: str, href: str, label: str, arrow: bool = True) -> html.A:
    """A link to another site in a new tab (no opener, no referrer), marked ↗ unless
    `arrow` is False; `label`, its accessible name, starts with the visible text."""
    mark = [html.Span("\u00a0↗", **{"aria-hidden": "true"})] if arrow else []
    return html.A(
        [text, *mark],
        href=href,
        target="_blank",
        rel="noopener noreferrer",
        title=label,
        className="drs-console-link",
        **{"aria-label": f"{label} ({NEW_TAB})"},
    )


def drs_link(
    account: dict, region, text: str = "DRS console", arrow: bool = True
) -> html.A | None:
    """`text` linked to the DRS console of this account × Region; None if the Region
    is not a Region."""
    href = drs_console_url(region)
    if href is None:
        return None
    label = f"{text}: DRS console of {account_label(account)} in {region}"
    return external_link(text, href, label, arrow)


def quota_link(
    account: dict,
    region,
    text: str = "Quota",
    quota_code: str = REPLICATION_QUOTA_CODE,
    arrow: bool = True,
) -> html.A | None:
    """`text` linked to the Service Quotas page of `quota_code` for this account ×
    Region; None if the Region is not a Region."""
    href = quota_url(region, quota_code)
    if href is None:
        return None
    name = QUOTA_NAMES.get(quota_code, "quota")
    label = (
        f"{text}: {name} {quota_code} of {account_label(account)} in {region}, "
        "Service Quotas"
    )
    return external_link(text, href, label, arrow)
