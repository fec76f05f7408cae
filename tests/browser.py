"""A small headless-Chromium driver for the browser tests, over the DevTools protocol (CDP).

Chromium is the Debian package `chromium`; `find_chromium` installs it with apt-get when it is
absent and that is allowed (root, apt-get present, REFORMWATCH_NO_APT unset), else returns
None so the tests skip with a clear message. The driver records what a user's browser would
show a developer: console errors, uncaught exceptions, failed loads, and every request whose
URL is not on this machine (file:, data:, blob:, about:).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from websockets.sync.client import connect

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:", "devtools:")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # tests run as root in containers
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",  # Chromium's own update/metrics calls are not the page's
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
)
# A page is usable when the document has loaded and every plotly figure within a screen of the
# view has been drawn; the others wait for the reader to scroll near them (shell.LAZY_FIGURES_JS).
READY = (
    "document.readyState === 'complete' && Array.prototype.every.call("
    "document.querySelectorAll('.plotly-graph-div'), function (d) { return d._fullLayout || "
    "(d.hasAttribute('data-drawn-later') && d.getBoundingClientRect().top > 2 * innerHeight); })"
)
ALL_DRAWN = (
    "Array.prototype.every.call(document.querySelectorAll('.plotly-graph-div'),"
    " function (d) { return d._fullLayout; })"
)
EXPLORER_READY = "document.getElementById('unit-name') !== null"

INSTALL_HINT = (
    "headless Chromium not found: install the Debian package (`apt-get install chromium`) to "
    "run the browser tests; CI installs it"
)


def find_chromium() -> str | None:
    """The chromium binary, installing the Debian package first when absent and allowed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    allowed = (
        os.environ.get("REFORMWATCH_NO_APT") is None
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and shutil.which("apt-get")
    )
    if found or not allowed:
        return found
    subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
        check=False,
        capture_output=True,
        timeout=900,
    )
    return shutil.which("chromium")


@dataclass
class Session:
    """One page (tab) under CDP: send commands, wait for events, keep what went wrong."""

    socket: object
    next_id: int = 0
    events: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)  # requestId -> URL
    pid: int = 0  # the browser process (its children: renderers, GPU, utilities)
    cpu_used_s: float = 0.0

    def _record(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(
                "console: "
                + " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(
                "exception: " + details.get("exception", {}).get("description", details["text"])
            )
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            self.urls[params["requestId"]] = url
            if not url.startswith(LOCAL_SCHEMES):
                self.outside.append(url)
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            url = self.urls.get(params["requestId"], "?")
            self.errors.append(f"failed load: {params.get('errorText')} {url}")
        self.events.append(message)

    def send(self, method: str, **params: object) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def wait_event(self, method: str, timeout: float = 90) -> dict:
        seen = next((e for e in self.events if e.get("method") == method), None)
        deadline = time.monotonic() + timeout
        while seen is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(method)
            message = json.loads(self.socket.recv(timeout=left))
            self._record(message)
            if message.get("method") == method:
                seen = message
        return seen

    def evaluate(self, expression: str) -> object:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 90) -> float:
        """Seconds until expression is truthy in the page (polled every 20 ms)."""
        start = time.monotonic()
        while not self.evaluate(expression):
            if time.monotonic() - start > timeout:
                raise TimeoutError(expression)
            time.sleep(0.02)
        return time.monotonic() - start

    def cpu_s(self) -> float:
        """CPU seconds used so far by Chromium and every process it started (/proc): unlike
        the wall clock, they do not grow when other programs share the CPUs."""
        return sum(_cpu_seconds(pid) for pid in _process_tree(self.pid)) if self.pid else 0.0

    def open(self, url: str, ready: str = "document.readyState === 'complete'") -> float:
        """Navigate and wait until `ready` holds: the seconds that took (the page usable).
        self.cpu_used_s: the CPU seconds the browser spent on it meanwhile."""
        self.events.clear()
        start, cpu = time.monotonic(), self.cpu_s()
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")
        self.wait_for(ready)
        self.cpu_used_s = self.cpu_s() - cpu
        return time.monotonic() - start

    def follow(self, selector: str, ready: str) -> float:
        """Click the first element matching selector (a link) and wait until `ready`."""
        self.events.clear()
        start = time.monotonic()
        clicked = self.evaluate(
            f"(function(){{var a=document.querySelector({json.dumps(selector)});"
            "if(!a)return false;a.click();return true;})()"
        )
        if not clicked:
            raise LookupError(f"nothing matches {selector} on {self.evaluate('location.href')}")
        time.sleep(0.05)
        self.wait_for(ready)
        return time.monotonic() - start


@contextmanager
def chromium(binary: str) -> Iterator[Session]:
    """A headless Chromium with one page attached, closed afterwards."""
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            port = _devtools_port(process)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
                pages = [t for t in json.load(response) if t["type"] == "page"]
            with connect(pages[0]["webSocketDebuggerUrl"], max_size=None) as socket:
                session = Session(socket)
                session.pid = process.pid
                for domain in ("Page", "Runtime", "Log", "Network"):
                    session.send(f"{domain}.enable")
                yield session
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _devtools_port(process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
        if found:
            # keep reading what Chromium logs, so its pipe never fills and blocks it
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return int(found.group(1))
        if not line and process.poll() is not None:
            break
    raise RuntimeError("Chromium did not start its DevTools endpoint")


def _stat(pid: int) -> list[str]:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the process ended, or no /proc here
        return []
    return text[text.rindex(")") + 2 :].split()  # fields after "pid (name) "


def _process_tree(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields:
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _cpu_seconds(pid: int) -> float:
    fields = _stat(pid)  # utime and stime are fields 14 and 15 of /proc/<pid>/stat
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def file_url(path: Path) -> str:
    return path.resolve().as_uri()


def page_cpu_seconds(site: Path, binary: str) -> dict[str, float]:
    """CPU seconds the browser spends until each top-level page of `site` is usable (READY:
    for the commune explorer, its list of units built, before one is picked): what `make
    bench` holds against the 2 s budget. One browser, warmed on the first page with a chart,
    so starting the browser and parsing the site's one plotly.js are no page's cost."""
    pages = sorted(site.glob("*.html"))
    charted = [p for p in pages if "plotly-graph-div" in p.read_text(encoding="utf-8")]
    spent = {}
    with chromium(binary) as session:
        if charted:
            session.open(file_url(charted[0]), READY)
        for page in pages:
            session.open(file_url(page), READY)
            spent[page.name] = round(session.cpu_used_s, 2)
    return spent
