"""Browser tests of the web widget: Debian's chromium driven by Playwright for Python, against the
real Rasa and action servers (the ``coach`` fixture) and the demo page served by
scripts/serve_widget.py, exactly as a site embeds the widget. Never `playwright install`."""
from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.servers import ROOT, free_port, wait_for

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "results" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LEFT_TITLE = "Neutral page"

playwright_api = pytest.importorskip("playwright.sync_api")
# Playwright's assertions wait 5 s by default. On a busy 2-core machine the coach's first reply
# can take longer than that (a fresh-clone CI run failed once on "hello" with other work beside
# it), so assertions wait as long as page actions do (20 s); a reply that never comes still fails.
playwright_api.expect.set_options(timeout=20000)


class _Neutral(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = f"<!doctype html><title>{LEFT_TITLE}</title><p>Weather</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def exit_url():
    """A neutral page we control, standing in for the quick-exit site."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Neutral)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/left.html"
    server.shutdown()


def serve_demo(port: int, server_url: str, exit_url: str, logs: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_widget.py"), "--port", str(port),
         "--server", server_url, "--exit-url", exit_url, "--locale", "en-GB"],
        cwd=ROOT, stdout=(logs / "widget.log").open("ab"), stderr=subprocess.STDOUT)
    wait_for(f"http://127.0.0.1:{port}/coach-widget.js", process, timeout=30)
    return process


@pytest.fixture(scope="session")
def demo(coach, demo_port, exit_url, tmp_path_factory):
    """The demo page's address (its origin is the one the coach allows)."""
    process = serve_demo(demo_port, coach.url, exit_url, tmp_path_factory.mktemp("widget"))
    yield f"http://127.0.0.1:{demo_port}"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def offline_demo(exit_url, tmp_path_factory):
    """The demo page pointed at a port where no coach answers."""
    port = free_port()
    process = serve_demo(port, f"http://127.0.0.1:{free_port()}", exit_url,
                         tmp_path_factory.mktemp("offline"))
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: scripts/setup.sh installs it (make test)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


class Dialogs(list):
    """Every alert/confirm/prompt a page opened (there must be none)."""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20000)
    page.dialogs = Dialogs()

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()
