"""What reading a Bandcamp page's number costs the worker: parsing pages of several
sizes (the 2 MB limit the largest), and fetching one from a local server that plays
Bandcamp, the whole of `read_item`. Prints a table (median of the runs).

    PYTHONPATH=. .venv/bin/python bench/bandcamp_pages.py [runs]
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flask import Flask

from mentorapp.profiles.bandcamp import item_on_page, read_item

HEAD = (
    '<meta name="bc-page-properties" content=\'{"item_type":"a","item_id":1234567}\'>'
    '<meta property="og:video" content="https://bandcamp.com/EmbeddedPlayer/v=2/'
    'album=1234567/size=large/">'
)
# A real album page is mostly scripts and markup after the head: filler of that kind.
FILLER = '<div class="track"><a href="/track/x">Track</a><script>var d={"a":1};</script></div>'


def page_of(size: int) -> bytes:
    html = f"<!doctype html><html><head>{HEAD}</head><body>"
    html += FILLER * max(0, (size - len(html)) // len(FILLER)) + "</body></html>"
    return html.encode()


def median_ms(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(runs: int) -> None:
    sizes = [("50 KB", 50_000), ("250 KB", 250_000), ("2 MB", 2 * 1024 * 1024 - 1000)]
    pages = {f"/album/{label.replace(' ', '')}": page_of(size) for label, size in sizes}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app = Flask(__name__)
    app.config["BANDCAMP_FETCH_ORIGIN"] = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"{'page':>8} | {'parse ms':>9} | {'fetch + parse ms':>16}  ({runs} runs, median)")
    print(f"{'-' * 8}-+-{'-' * 9}-+-{'-' * 16}")
    with app.app_context():
        for (label, _size), (path, body) in zip(sizes, pages.items(), strict=True):
            html = body.decode()
            assert item_on_page(html) == "album=1234567"
            url = f"https://harbour.bandcamp.com{path}"
            assert read_item(url) == "album=1234567"
            parse = median_ms(lambda html=html: item_on_page(html), runs)
            fetch = median_ms(lambda url=url: read_item(url), runs)
            print(f"{label:>8} | {parse:>9.1f} | {fetch:>16.1f}")
    server.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
