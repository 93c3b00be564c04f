"""Screenshot of the demo dashboard with headless Chromium (for the README).

    python scripts/screenshot.py [--out docs/screenshot.png] [--size 1400,1000]

Starts `app.py --demo` on a free local port, waits for it to answer, lets Chromium render
the page (virtual time lets every callback finish), writes the PNG, and stops the app.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--size", default="1400,1000", help="window WIDTH,HEIGHT")
    parser.add_argument("--path", default="/", help="page to capture")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium is not installed (make browser-deps)")
    port = free_port()
    url = f"http://127.0.0.1:{port}{args.path}"
    app = subprocess.Popen(
        [sys.executable, "app.py", "--demo", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/accounts")
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                 f"--window-size={args.size}", f"--screenshot={args.out}", url],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
    finally:
        app.terminate()
        app.wait(timeout=10)
    print(args.out)


if __name__ == "__main__":
    main()
