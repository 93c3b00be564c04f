"""Only a browser proves these (issue 9, items 3 and 7): the page runs under its
Content-Security-Policy with no console error, and another site's page cannot make the
browser change accounts (a hidden form post, a no-cors fetch)."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import urlopen

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from components import ids
from tests.browser.page import start

FORGED = "999999999999"
FORM_PAGE = """<!doctype html><html><body>
<form id="forged" method="POST" action="{api}/api/accounts" enctype="text/plain">
<input type="hidden" name='{{"accountId": "{forged}", "accountName": "forged", "x": "'
 value='"}}'></form>
<script>document.getElementById("forged").submit()</script></body></html>"""
FETCH_PAGE = """<!doctype html><html><head><title>waiting</title></head><body><script>
fetch("{api}/api/accounts", {{method: "POST", mode: "no-cors",
  body: JSON.stringify({{accountId: "{forged}", accountName: "forged"}})}})
  .finally(() => {{ document.title = "sent"; }});
</script></body></html>"""


@contextmanager
def other_site(page: str):
    """Serve `page` from http://127.0.0.1:<port>, another origin than the dashboard's
    http://localhost:<port>; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def registered(dash_duo) -> list[str]:
    with urlopen(f"{dash_duo.server_url}/api/accounts", timeout=10) as answer:
        return [t["accountId"] for t in json.load(answer)["targetAccounts"]]


def test_the_page_runs_under_its_content_security_policy(dash_duo, make_app):
    start(dash_duo, make_app())
    with urlopen(dash_duo.server_url, timeout=10) as answer:
        policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy and "'unsafe-eval'" not in policy
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNTS_TABLE}", "staging-a")
    dash_duo.wait_for_element(".js-plotly-plot .main-svg")  # Plotly drew a chart
    assert dash_duo.get_logs() == []  # no CSP violation, no failed callback
    # and the policy is enforced: a script injected into the page does not run
    ran = dash_duo.driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.injected = true'; document.body.appendChild(s);"
        "return window.injected === true;"
    )
    assert ran is False


def test_a_cross_site_form_post_is_refused(dash_duo, make_app):
    start(dash_duo, make_app())
    page = FORM_PAGE.format(api=dash_duo.server_url, forged=FORGED)
    with other_site(page) as url:
        dash_duo.driver.get(url)
        WebDriverWait(dash_duo.driver, 20).until(
            lambda driver: (
                "CROSS_SITE_REQUEST" in driver.find_element(By.TAG_NAME, "body").text
            )
        )
    assert FORGED not in registered(dash_duo)


def test_a_cross_site_no_cors_fetch_is_refused(dash_duo, make_app):
    start(dash_duo, make_app())
    page = FETCH_PAGE.format(api=dash_duo.server_url, forged=FORGED)
    with other_site(page) as url:
        dash_duo.driver.get(url)
        WebDriverWait(dash_duo.driver, 20).until(lambda d: d.title == "sent")
    assert FORGED not in registered(dash_duo)
