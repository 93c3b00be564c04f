"""Screenshots of the dashboard with headless Chromium (for the README and reviews).

    python scripts/screenshot.py                 # the set in docs/screenshots/
    python scripts/screenshot.py --out F.png [--scenario FILE] [--size 1440,1400]

The set: the demo and the fault scenario (tests/scenarios/faults.json) at 1440, 1024 and
390 px wide (390 × 1688: a phone's first two screens), plus docs/screenshot.png (the
demo at 1440, shown by the README). Each starts `app.py` on a free local port, waits for
it to answer, lets Chromium render the page (virtual time lets every callback finish),
writes the PNG, and stops the app. Then the demo's history card at 1440 and 390 px with
its 90-day range chosen (docs/screenshots/history-*.png), through Selenium and Debian's
chromedriver, since choosing a range takes a click.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"the dashboard did not answer at {url}")


FAULTS = ROOT / "tests" / "scenarios" / "faults.json"
SIZES = {1440: "1440,1400", 1024: "1024,1400", 390: "390,1688"}


def the_set() -> list[tuple[Path, Path | None, str]]:
    """(PNG, scenario or None for the demo, window size) of every screenshot."""
    folder = ROOT / "docs" / "screenshots"
    shots = [(ROOT / "docs" / "screenshot.png", None, SIZES[1440])]
    for name, scenario in (("demo", None), ("faults", FAULTS)):
        for width, size in SIZES.items():
            shots.append((folder / f"{name}-{width}.png", scenario, size))
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="one PNG (default: the whole set)")
    parser.add_argument("--scenario", help="a scenario file (default: the demo)")
    parser.add_argument("--size", default=SIZES[1440], help="window WIDTH,HEIGHT")
    parser.add_argument("--path", default="/", help="page to capture")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium is not installed (make browser-deps)")
    if args.out:
        shots = [(Path(args.out), args.scenario and Path(args.scenario), args.size)]
    else:
        shots = the_set()
    for out, scenario, size in shots:
        capture(chromium, out, scenario, size, args.path)
        print(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)
    if not args.out:
        for width, size in HISTORY_SIZES.items():
            out = ROOT / "docs" / "screenshots" / f"history-{width}.png"
            capture_history(chromium, out, size)
            print(out.relative_to(ROOT))


def start_app(port: int, where: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "app.py", *where, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


HISTORY_SIZES = {1440: "1440,1000", 390: "390,900"}
HISTORY_CARD = ".area-history"
HISTORY_LINE = "#history-graph .scatterlayer .trace"


def capture_history(chromium: str, out: Path, size: str) -> None:
    """The demo's history card, its 90-day range chosen, once its lines are drawn."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    port = free_port()
    app = start_app(port, ["--demo"])
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS[:-1]:  # virtual time would stall WebDriver's waits
        options.add_argument(flag)
    width, height = (int(n) for n in size.split(","))
    options.add_argument(f"--window-size={max(width, 500)},{height}")
    driver = None
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/accounts")
        driver = webdriver.Chrome(
            options=options, service=Service(shutil.which("chromedriver"))
        )
        # a window is at least 500 px wide: a phone's width is emulated
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        driver.get(f"http://127.0.0.1:{port}/")
        wait = WebDriverWait(driver, 60)
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, HISTORY_LINE)))
        choice = driver.find_element(By.XPATH, "//label[normalize-space()='90 d']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", choice)
        old_range = driver.find_element(By.CSS_SELECTOR, "#history-graph .xtick")
        driver.execute_script("arguments[0].click()", choice)  # as a person's click
        wait.until(ready.staleness_of(old_range))  # redrawn with the 90-day axis
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, HISTORY_LINE)))
        time.sleep(1)  # Plotly's transition settles; nothing else to wait on
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(element_png(driver, HISTORY_CARD))
    finally:
        if driver is not None:
            driver.quit()
        app.terminate()
        app.wait(timeout=10)


def element_png(driver, css: str) -> bytes:
    """The element whole, wherever it sits on the page (beyond the window too)."""
    import base64

    box = driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {x: r.left + scrollX, y: r.top + scrollY, width: r.width,"
        " height: r.height};",
        css,
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"clip": {**box, "scale": 1}, "captureBeyondViewport": True},
    )
    return base64.b64decode(shot["data"])


def capture(chromium: str, out: Path, scenario: Path | None, size: str, path: str):
    port = free_port()
    url = f"http://127.0.0.1:{port}{path}"
    where = ["--scenario", str(scenario)] if scenario else ["--demo"]
    app = start_app(port, where)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/accounts")
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                 f"--window-size={size}", f"--screenshot={out}", url],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
    finally:
        app.terminate()
        app.wait(timeout=10)


if __name__ == "__main__":
    main()
