"""Time from navigation to the first number on a cold demo app, in headless Chromium.

    python benchmarks/first_number.py [--samples 5] [--json FILE]

Each sample starts a fresh `app.py --demo` (a cold app: no collection yet), waits until it
answers HTTP, clears the browser's cache, and opens the page. A script installed before
the page's own records `performance.now()` (milliseconds since navigation started) when
the headline's reason first shows a number, and when the Region chart first draws a bar.
Prints min / median / max over the samples, with the app's start time beside them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from benchmarks.appserver import AppServer, conditions  # noqa: E402

# Runs in every new document before the page's scripts.
_OBSERVER = """
window.__firstNumber = null; window.__firstBars = null;
new MutationObserver(() => {
    const reason = document.getElementById("headline-reason");
    if (window.__firstNumber === null && reason && /\\d/.test(reason.textContent)) {
        window.__firstNumber = performance.now();
    }
    if (window.__firstBars === null
        && document.querySelector("#region-bars .barlayer .point")) {
        window.__firstBars = performance.now();
    }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--window-size=1440,1000"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(
        options=options, service=Service(shutil.which("chromedriver"))
    )
    driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": _OBSERVER}
    )
    return driver


def sample(driver, log_dir: Path) -> dict:
    with AppServer(None, log_dir) as app:
        started = app.wait_ready()
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        driver.get(app.base + "/")
        deadline = time.monotonic() + 60
        found = {}
        while time.monotonic() < deadline:
            found = driver.execute_script(
                "return {number: window.__firstNumber, bars: window.__firstBars};"
            )
            if found["number"] is not None and found["bars"] is not None:
                break
            time.sleep(0.05)
        return {
            "app_start_s": started,
            "first_number_ms": found.get("number"),
            "first_bars_ms": found.get("bars"),
        }


def spread(values: list[float]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    return f"{min(values):,.0f} / {statistics.median(values):,.0f} / {max(values):,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--json", help="also write the samples here")
    args = parser.parse_args()
    driver = browser()
    try:
        with tempfile.TemporaryDirectory() as logs:
            runs = [sample(driver, Path(logs)) for _ in range(args.samples)]
    finally:
        driver.quit()
    print(f"conditions: {json.dumps(conditions())}")
    print(f"{args.samples} cold demo apps, headless Chromium 1440 px, cache cleared")
    print("| measure | min / median / max |")
    print("|---|---|")
    print(f"| app start to first HTTP answer | "
          f"{spread([r['app_start_s'] * 1000 for r in runs])} ms |")  # fmt: skip
    print(f"| navigation to the headline's first number | "
          f"{spread([r['first_number_ms'] for r in runs])} ms |")  # fmt: skip
    print(f"| navigation to the first bar of the Region chart | "
          f"{spread([r['first_bars_ms'] for r in runs])} ms |")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, **conditions()}))


if __name__ == "__main__":
    main()
