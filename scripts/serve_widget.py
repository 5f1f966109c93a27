"""Serves the web widget and a demo page that embeds it as a site would (used by `make run` and
the browser tests). Standard library only; binds to 127.0.0.1.

  .venv/bin/python scripts/serve_widget.py --port 8080 --server http://127.0.0.1:5005

  /                    demo page: the launcher button (widget/demo/index.html)
  /inline.html         demo page: the widget inside an element (data-target)
  /coach-widget.js     the widget; /socket.io.min.js the socket.io client (copied from
                       node_modules by scripts/setup.sh)
Optional --exit-url and --locale become data-exit-url / data-locale on the demo pages' tag.
"""
from __future__ import annotations

import argparse
import functools
import html
import http.server
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDGET = ROOT / "widget"
DEMO_PAGES = {"/": "index.html", "/index.html": "index.html", "/inline.html": "inline.html"}


class Handler(http.server.SimpleHTTPRequestHandler):
    demo: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path in DEMO_PAGES:
            return self.send_demo(DEMO_PAGES[path])
        if path.startswith("/demo/"):
            self.send_error(404)
            return None
        return super().do_GET()

    def send_demo(self, name: str) -> None:
        text = (WIDGET / "demo" / name).read_text(encoding="utf-8")
        for key, value in self.demo.items():
            text = text.replace("{{" + key + "}}", value)
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format, *args):  # quiet: no request lines (they hold nothing useful)
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--server", default="http://127.0.0.1:5005", help="the Rasa server")
    parser.add_argument("--exit-url", default="", help="data-exit-url on the demo pages")
    parser.add_argument("--locale", default="", help="data-locale on the demo pages")
    args = parser.parse_args()
    if not (WIDGET / "socket.io.min.js").exists():
        raise SystemExit("widget/socket.io.min.js is missing: run scripts/setup.sh")
    extra = ""
    if args.exit_url:
        extra += f' data-exit-url="{html.escape(args.exit_url)}"'
    if args.locale:
        extra += f' data-locale="{html.escape(args.locale)}"'
    Handler.demo = {"WIDGET_URL": "/coach-widget.js", "SERVER": html.escape(args.server),
                    "EXTRA": extra}
    handler = functools.partial(Handler, directory=str(WIDGET))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"widget demo: http://127.0.0.1:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
