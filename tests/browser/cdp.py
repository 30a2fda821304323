"""A minimal Chrome DevTools Protocol client (Python stdlib only).

    with Browser() as b:
        tab = b.new_tab()
        tab.navigate("http://127.0.0.1:8080/")
        tab.evaluate("document.title")            # -> the value, JSON-decoded
        tab.screenshot("out.png", width=375)       # whole page, 375 CSS px wide
        tab.dialogs                                # alert/confirm/prompt seen (dismissed)
        tab.console, tab.log, tab.exceptions       # console calls, Log entries, uncaught errors
        tab.csp_violations()                       # Log/console lines about CSP refusals

Browser starts Debian's chromium headless with a fresh profile, reads the
"DevTools listening on ws://..." line from its stderr and speaks CDP over a
websocket implemented here (RFC 6455 client: masked frames, fragmentation,
ping/pong). Each Tab is a target attached in flat mode (one sessionId).

JavaScript dialogs are dismissed as soon as they open and recorded, so a
test can assert that no alert() ran ("no dialog opens and no script runs").
"""

import base64
import hashlib
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.parse

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic", "--disable-dev-shm-usage", "--disable-extensions",
    "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--remote-debugging-port=0",
]
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class CDPError(Exception):
    """A protocol error, a JavaScript exception, or the browser going away."""


def find_chromium():
    for name in (os.environ.get("HEARTH_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome", "/usr/bin/chromium"):
        if name:
            p = shutil.which(name)
            if p:
                return p
    raise CDPError("chromium was not found: apt-get install -y chromium (or set HEARTH_CHROMIUM)")


# ---------------------------------------------------------------- websocket

class WebSocket:
    """A blocking RFC 6455 client, text messages only, enough for CDP."""

    def __init__(self, url, timeout=30):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "ws":
            raise CDPError("only ws:// is supported: %s" % url)
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        path = u.path + ("?" + u.query if u.query else "")
        # No Origin header: chromium then accepts us without --remote-allow-origins.
        req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
               % (path or "/", u.hostname, u.port or 80, key))
        self.sock.sendall(req.encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            c = self.sock.recv(4096)
            if not c:
                raise CDPError("websocket handshake: connection closed")
            buf += c
        head, _, self.buf = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not re.match(r"HTTP/1\.1 101\b", lines[0]):
            raise CDPError("websocket handshake refused: %s" % lines[0])
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip()
                   for l in lines[1:] if ":" in l}
        want = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != want:
            raise CDPError("websocket handshake: bad Sec-WebSocket-Accept")
        self.closed = False

    @staticmethod
    def _mask(data, key):
        n = len(data)
        if not n:
            return data
        k = (key * (n // 4 + 1))[:n]
        return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")

    def _send_frame(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        key = os.urandom(4)
        self.sock.sendall(head + key + self._mask(payload, key))

    def send(self, text):
        self._send_frame(0x1, text.encode("utf-8"))

    def _read(self, n):
        while len(self.buf) < n:
            c = self.sock.recv(max(65536, n - len(self.buf)))
            if not c:
                self.closed = True
                raise CDPError("the browser closed the websocket")
            self.buf += c
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def readable(self, timeout):
        """True when a frame can be read without blocking for long."""
        if self.buf:
            return True
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        return bool(r)

    def recv(self):
        """One whole text message (joins fragments, answers pings)."""
        parts = []
        while True:
            b0, b1 = self._read(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            key = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if key:
                payload = self._mask(payload, key)
            if opcode == 0x8:
                self.closed = True
                raise CDPError("the browser closed the websocket")
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            parts.append(payload)
            if fin:
                return b"".join(parts).decode("utf-8")

    def close(self):
        if not self.closed:
            try:
                self._send_frame(0x8, struct.pack("!H", 1000))
            except OSError:
                pass
        self.closed = True
        self.sock.close()


# ---------------------------------------------------------------- browser

class Browser:
    """A headless chromium with a fresh profile, driven over CDP."""

    def __init__(self, timeout=30, extra_args=()):
        self.timeout = timeout
        self.tmp = tempfile.mkdtemp(prefix="hearth-chromium-")
        self.stderr_lines = []
        self._ws_url = None
        self._got_url = threading.Event()
        self._next_id = 0
        self._responses = {}
        self.tabs = {}
        self.ws = None
        self.proc = subprocess.Popen(
            [find_chromium()] + CHROMIUM_FLAGS + list(extra_args)
            + ["--user-data-dir=" + self.tmp, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)
        self.pgid = self.proc.pid   # the harness kills this group if the runner dies
        # Drain stderr for ever: a full pipe would stall chromium.
        threading.Thread(target=self._read_stderr, daemon=True).start()
        try:
            if not self._got_url.wait(timeout) or not self._ws_url:
                raise CDPError("chromium did not print 'DevTools listening on ws://' within %d s "
                               "(exit code %s):\n%s" % (timeout, self.proc.poll(),
                                                       "\n".join(self.stderr_lines[-20:])))
            self.ws = WebSocket(self._ws_url, timeout)
        except BaseException:
            self.close()
            raise

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stderr_lines.append(line)
            del self.stderr_lines[:-200]
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m and not self._ws_url:
                self._ws_url = m.group(1)
                self._got_url.set()
        self._got_url.set()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- protocol -------------------------------------------------------

    def post(self, method, params=None, session=None):
        """Sends a command without waiting; returns its id."""
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        return self._next_id

    def call(self, method, params=None, session=None, timeout=None):
        """Sends a command and returns its result; raises CDPError on error."""
        mid = self.post(method, params, session)
        deadline = time.monotonic() + (timeout or self.timeout)
        while mid not in self._responses:
            if not self.pump(deadline):
                raise CDPError("%s: no answer within %s s" % (method, timeout or self.timeout))
        msg = self._responses.pop(mid)
        if "error" in msg:
            raise CDPError("%s: %s" % (method, msg["error"].get("message", msg["error"])))
        return msg.get("result", {})

    def pump(self, deadline):
        """Reads and dispatches one message; False when the deadline passed."""
        if self.proc.poll() is not None:
            raise CDPError("chromium exited with %s:\n%s"
                           % (self.proc.returncode, "\n".join(self.stderr_lines[-20:])))
        if not self.ws.readable(min(deadline - time.monotonic(), 1.0)):
            return time.monotonic() < deadline
        msg = json.loads(self.ws.recv())
        if "id" in msg:
            self._responses[msg["id"]] = msg
        else:
            tab = self.tabs.get(msg.get("sessionId"))
            if tab:
                tab._event(msg["method"], msg.get("params", {}))
        return True

    def new_tab(self, url="about:blank"):
        tid = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = self.call("Target.attachToTarget", {"targetId": tid, "flatten": True})["sessionId"]
        tab = Tab(self, tid, sid)
        self.tabs[sid] = tab
        for domain in ("Page", "Runtime", "Log"):
            tab.send(domain + ".enable")
        if url != "about:blank":
            tab.navigate(url)
        return tab

    def kill(self):
        """Kills chromium at once (from a signal handler)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def close(self):
        if self.ws:
            try:
                self.ws.close()
            except OSError:
                pass
            self.ws = None
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Tab:
    """One page target. Events are recorded in lists that tests read:
    dialogs (type, message), console (type, text), log (source, level,
    text, url), exceptions (text)."""

    def __init__(self, browser, target_id, session_id):
        self.browser, self.target_id, self.session = browser, target_id, session_id
        self.dialogs, self.console, self.log, self.exceptions = [], [], [], []
        self._loads = 0

    def send(self, method, timeout=None, **params):
        return self.browser.call(method, params, self.session, timeout)

    def _event(self, method, p):
        if method == "Page.javascriptDialogOpening":
            self.dialogs.append({"type": p.get("type"), "message": p.get("message")})
            # Dismiss at once: the page is frozen until someone answers.
            self.browser.post("Page.handleJavaScriptDialog", {"accept": False}, self.session)
        elif method == "Page.loadEventFired":
            self._loads += 1
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            self.console.append({"type": p.get("type"), "text": text})
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.exceptions.append(d.get("exception", {}).get("description") or d.get("text", ""))
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            self.log.append({k: e.get(k) for k in ("source", "level", "text", "url")})

    def wait_until(self, predicate, timeout=None):
        deadline = time.monotonic() + (timeout or self.browser.timeout)
        while not predicate():
            if not self.browser.pump(deadline):
                return False
        return True

    def navigate(self, url, timeout=None):
        """Loads url and waits for its load event; returns the HTTP status
        when Chromium tells it (None otherwise)."""
        before = self._loads
        r = self.send("Page.navigate", url=url)
        if r.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, r["errorText"]))
        if not self.wait_until(lambda: self._loads > before, timeout):
            raise CDPError("navigate %s: no load event within %s s" % (url, timeout or self.browser.timeout))
        return self.evaluate("(performance.getEntriesByType('navigation')[0] || {}).responseStatus || null")

    def evaluate(self, expression):
        """Evaluates JavaScript in the page and returns its value."""
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError("evaluate %r: %s" % (expression[:80], d.get("exception", {}).get(
                "description") or d.get("text")))
        return r.get("result", {}).get("value")

    def set_viewport(self, width, height=800, mobile=None, scale=1):
        """Emulates a screen `width` CSS px wide; mobile (default: width <
        600) honours <meta name=viewport> as a phone does."""
        if mobile is None:
            mobile = width < 600
        self.send("Emulation.setDeviceMetricsOverride", width=int(width), height=int(height),
                  deviceScaleFactor=scale, mobile=bool(mobile))

    def screenshot(self, path, width=None, full_page=True, max_height=12000):
        """Saves a PNG of the page at `width` CSS px (whole page by default)."""
        if width:
            self.set_viewport(width, 800)
        if full_page:
            h = self.evaluate("Math.ceil(Math.max(document.documentElement.scrollHeight,"
                              " document.body ? document.body.scrollHeight : 0))") or 800
            self.set_viewport(width or self.evaluate("window.innerWidth"), min(max(int(h), 100), max_height))
        data = self.send("Page.captureScreenshot", format="png")["data"]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        if width and full_page:
            self.set_viewport(width, 800)
        return path

    def add_init_script(self, source):
        """Runs source in every new document before the page's own scripts."""
        return self.send("Page.addScriptToEvaluateOnNewDocument", source=source)["identifier"]

    def csp_violations(self):
        """Log entries and console messages where Chromium refused something
        under the Content-Security-Policy."""
        texts = [e["text"] or "" for e in self.log] + [c["text"] for c in self.console]
        return [t for t in texts if "Content Security Policy" in t or "Content-Security-Policy" in t]

    def close(self):
        self.browser.call("Target.closeTarget", {"targetId": self.target_id})
        self.browser.tabs.pop(self.session, None)
