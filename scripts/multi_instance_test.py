"""Multi-instance test: two Rasa servers sharing a Redis lock store and a PostgreSQL tracker
store (deploy/endpoints.production.yml, used as it is), nginx in front of them
(deploy/nginx.conf, filled in), and one of the servers killed with SIGKILL in the middle of the
run. Proves that no turn of any conversation is lost, doubled or reordered, and that every turn
is answered.

Usage (as root on Debian 12; `make multi`):

    .venv/bin/python scripts/multi_instance_test.py [--conversations 20] [--keep]

What it does, everything on 127.0.0.1, on free ports, in a temporary directory:

1. Installs what is missing: `apt-get install -y redis-server nginx postgresql`, only for the
   binaries that are not there (with a temporary /usr/sbin/policy-rc.d so that apt does not
   start the system's own redis, nginx and PostgreSQL services).
2. Starts Redis (with a password, nothing saved to disk), a throwaway PostgreSQL cluster (initdb
   as the `postgres` user, a `rasa` role and database with passwords), one action server, two Rasa
   servers A and B in parallel (with --enable-api and a random --auth-token, for this test only,
   to read the trackers back) and nginx in front of both.
3. Checks the proxy: health, Rasa's HTTP API refused, 413 on a large body, POST only, the
   socket.io origin check through nginx.
4. Sends the conversations in waves (wave w = turn w of every conversation, two at a time):
   most go straight to the servers, turn i to server i % 2; some go through nginx (REST); one
   goes through nginx over socket.io, from a loopback address that nginx's hash sends to B.
   In the fourth wave, while a turn is being handled by B, B is killed with SIGKILL. From then on
   every direct turn goes to A and nginx has to skip B. A turn that was in flight on B when it
   died gets an error (connection dropped, or 502 from nginx, which deliberately does not resend
   a POST); the client resends it once, at once (--resend-delay 0). B died holding that
   conversation's ticket in the Redis lock store; the resend is served once the dead ticket
   expires (TICKET_LOCK_LIFETIME, 60 s). With Rasa 3.6.21's own RedisLockStore a resend that
   queued less than about a second behind the dead ticket was never served (both tickets
   expired together and the waiter polled forever); stores/lock_store.py fixes that, and
   --resend-delay 0 shows it. Anything else that fails is an error. After the kill a safety message ("he hit me
   last night when he found out") is sent directly, through nginx and over socket.io; each
   reply must carry an emergency resource.
5. Reads every conversation back from A's HTTP API and from PostgreSQL: each user turn sent must
   be there exactly once, in the order sent, with a bot reply after it.
6. Checks deploy/purge_conversations.py on the real database, deploy/endpoints.redis.yml (a
   tracker saved through it expires after record_exp), and nginx's rate limit (429).
7. Prints a summary and exits 1 on any loss, duplicate, disorder, missing reply or error.
   All processes are stopped at the end, also on Ctrl-C; the temporary directory (logs) is kept
   when something failed or with --keep.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.measures import machine, percentile  # noqa: E402
from tests.servers import free_port, wait_for  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
RASA = str(VENV_BIN / "rasa")
PYTHON = str(VENV_BIN / "python")
ENDPOINTS = ROOT / "deploy" / "endpoints.production.yml"
ENDPOINTS_REDIS = ROOT / "deploy" / "endpoints.redis.yml"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
PURGE = ROOT / "deploy" / "purge_conversations.py"
ORIGIN = "http://coach.test"  # the browser origin allowed on the socket.io channel
REQUEST_TIMEOUT = 180  # a turn may wait TICKET_LOCK_LIFETIME (60 s) for a dead server's lock
START_TIMEOUT = 900    # model load takes ~40 s per server; slower when the cores are busy

SCRIPTS = [
    ["hi", "i cheated on my wife and she found out", "how do i apologise", "tell me more",
     "where does that come from", "she keeps asking the same questions over and over",
     "when will things be back to normal", "thanks"],
    ["hello", "i lied to my best friend about the money i borrowed",
     "honestly she's overreacting, it was a small amount", "how do i apologise to her",
     "tell me more", "where does that come from", "i was desperate, what else could i do",
     "thank you"],
    ["hey", "my husband found messages between me and my ex",
     "how much should i tell him about what happened",
     "should i cut off contact with my ex completely", "tell me more",
     "where does that come from", "he says he needs space, what do i do", "thanks, bye"],
    ["hi there", "i took credit for my coworker's work and she found out",
     "it wasn't really my fault, my boss was pressuring me", "how do i make it right at work",
     "tell me more", "where does that come from", "how long until she trusts me again",
     "ok thanks"],
    ["hello", "i hid our debts from my partner for two years", "how do i rebuild trust",
     "should i show him my bank statements", "tell me more", "where does that come from",
     "are you a bot", "thanks"],
]
SAFETY = "he hit me last night when he found out"
SOCKETIO_BEFORE = ["hi", "i lied to my girlfriend about where i was", "how do i apologise"]
SOCKETIO_AFTER = ["tell me more", "where does that come from", SAFETY]
EMERGENCY_NUMBERS = ("911", "999", "112")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Installing and running the servers


def pg_bin_dir() -> Optional[Path]:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                        else 0, reverse=True)
    if candidates:
        return candidates[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def which(name: str) -> Optional[str]:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")


def ensure_packages() -> None:
    missing = []
    if not which("redis-server"):
        missing.append("redis-server")
    if not which("nginx"):
        missing.append("nginx")
    if not pg_bin_dir():
        missing.append("postgresql")
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"multi: {', '.join(missing)} missing; run as root to install them with apt-get")
    log(f"installing {' '.join(missing)} with apt-get")
    policy = Path("/usr/sbin/policy-rc.d")
    own_policy = not policy.exists()
    if own_policy:  # keep apt from starting the system-wide services (exit 101: not allowed)
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", *missing], check=True, env=env)
    finally:
        if own_policy:
            policy.unlink()
    if not (which("redis-server") and which("nginx") and pg_bin_dir()):
        sys.exit("multi: the packages were installed but a binary is still missing")


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    stop_signal: int
    log: Path


class Stack:
    """The processes this test started; stopped in reverse order."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: List[Proc] = []

    def start(self, name: str, command: List[str], *, env=None, user: Optional[str] = None,
              stop_signal: int = signal.SIGTERM, cwd: Path = ROOT) -> Proc:
        path = self.logs / f"{name}.log"
        kwargs = {}
        if user:
            entry = pwd.getpwnam(user)
            kwargs = dict(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
        with path.open("ab") as out:
            popen = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True, **kwargs)
        proc = Proc(name, popen, stop_signal, path)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            if proc.popen.poll() is None:
                try:
                    proc.popen.send_signal(proc.stop_signal)
                    proc.popen.wait(30)
                except subprocess.TimeoutExpired:
                    pass
                except ProcessLookupError:
                    pass
            try:  # anything left in its process group (nginx workers, postgres backends)
                os.killpg(proc.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.popen.wait(10)
            except subprocess.TimeoutExpired:
                print(f"multi: {proc.name} (pid {proc.popen.pid}) did not stop", file=sys.stderr)


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until(check, what: str, timeout: float, proc: Optional[Proc] = None) -> None:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc is not None and proc.popen.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.popen.returncode}:\n{tail(proc.log)}")
        try:
            if check():
                return
        except Exception as error:  # noqa: BLE001 - not ready yet
            last = error
        time.sleep(0.5)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s ({last})")


def start_redis(stack: Stack, tmp: Path) -> Dict[str, str]:
    import redis

    port, password = free_port(), secrets.token_hex(16)
    (tmp / "redis").mkdir()
    proc = stack.start("redis", [
        which("redis-server"), "--bind", "127.0.0.1", "--port", str(port),
        "--requirepass", password, "--save", "", "--appendonly", "no",
        "--dir", str(tmp / "redis"), "--daemonize", "no"])
    client = redis.Redis(host="127.0.0.1", port=port, password=password)
    wait_until(client.ping, "redis", 30, proc)
    return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(port), "REDIS_PASSWORD": password,
            "REDIS_LOCK_DB": "1", "REDIS_TRACKER_DB": "0"}


def start_postgres(stack: Stack, tmp: Path) -> Dict[str, str]:
    import psycopg2

    bindir = pg_bin_dir()
    user = "postgres" if os.geteuid() == 0 else None
    base = tmp / "pg"
    base.mkdir()
    superuser_password, rasa_password = secrets.token_hex(16), secrets.token_hex(16)
    pwfile = base / "pwfile"
    pwfile.write_text(superuser_password + "\n")
    pwfile.chmod(0o600)
    (base / "sock").mkdir()
    if user:
        entry = pwd.getpwnam(user)
        for path in (base, pwfile, base / "sock"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        run_as = dict(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
    else:
        run_as = {}
    with (stack.logs / "initdb.log").open("ab") as out:
        subprocess.run([str(bindir / "initdb"), "-D", str(base / "data"), "-U", "postgres",
                        "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                        "--locale=C", "--no-sync"],
                       check=True, cwd=tmp, stdout=out, stderr=subprocess.STDOUT, **run_as)
    port = free_port()
    proc = stack.start("postgres", [
        str(bindir / "postgres"), "-D", str(base / "data"), "-c", "listen_addresses=127.0.0.1",
        "-c", f"port={port}", "-c", f"unix_socket_directories={base / 'sock'}"],
        user=user, stop_signal=signal.SIGINT, cwd=tmp)  # SIGINT: fast shutdown

    def superuser():
        return psycopg2.connect(host="127.0.0.1", port=port, user="postgres",
                                password=superuser_password, dbname="postgres",
                                connect_timeout=3)

    wait_until(lambda: superuser().close() is None, "postgres", 60, proc)
    connection = superuser()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE rasa LOGIN PASSWORD %s", (rasa_password,))
        cursor.execute("CREATE DATABASE rasa OWNER rasa")
    connection.close()
    return {"DB_HOST": "127.0.0.1", "DB_PORT": str(port), "DB_NAME": "rasa", "DB_USER": "rasa",
            "DB_PASSWORD": rasa_password, "DB_SSLMODE": "disable"}


def nginx_config(tmp: Path, listen: str, servers: List[int]) -> Tuple[Path, Path]:
    prefix = tmp / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "tmp").mkdir()
    for path in (prefix, prefix / "tmp"):
        path.chmod(0o755)
    try:
        worker_user = pwd.getpwnam("www-data").pw_name
    except KeyError:
        worker_user = "nobody"
    values = {
        "NGINX_LISTEN": listen,
        "RASA_SERVERS": " ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;"
                                 for port in servers),
        "NGINX_USER": worker_user,
    }
    text = NGINX_TEMPLATE.read_text()
    for name, value in values.items():  # what envsubst '${NGINX_LISTEN} ...' does
        text = text.replace("${" + name + "}", value)
    config = prefix / "nginx.conf"
    config.write_text(text)
    return prefix, config


# ---------------------------------------------------------------------------------------------
# The traffic


@dataclass
class Turn:
    conversation: str
    index: int
    text: str
    route: str  # "direct", "nginx" or "socketio"
    attempts: List[Tuple[str, str]] = field(default_factory=list)  # (target, outcome)
    reply: List[dict] = field(default_factory=list)
    error: Optional[str] = None
    dropped_at_kill: bool = False
    started: float = 0.0
    latency: Optional[float] = None

    @property
    def served_by(self) -> Optional[str]:
        return self.attempts[-1][0] if self.attempts and self.attempts[-1][1] == "ok" else None


@dataclass
class Conversation:
    sender: str
    route: str
    turns: List[Turn] = field(default_factory=list)


class Traffic:
    def __init__(self, urls: Dict[str, str], server_b: Proc, resend_delay: float):
        self.urls = urls  # "A", "B", "nginx"
        self.resend_delay = resend_delay
        self.server_b = server_b
        self.lock = threading.Lock()
        self.inflight: Dict[int, Tuple[str, float]] = {}
        self.killed_at: Optional[float] = None
        self.nginx_next = 0.0

    def _pace_nginx(self) -> None:
        # stay well under the proxy's rate limit (10 r/s per address, burst 40)
        with self.lock:
            now = time.time()
            wait = max(0.0, self.nginx_next - now)
            self.nginx_next = max(now, self.nginx_next) + 0.15
        if wait:
            time.sleep(wait)

    def _post(self, target: str, turn: Turn) -> Tuple[str, Optional[list], float]:
        """One attempt: (outcome, reply, the time it was sent)."""
        if target == "nginx":
            self._pace_nginx()
        body = {"sender": turn.conversation, "message": turn.text,
                "metadata": {"turn": turn.index}}
        key = id(turn)
        with self.lock:
            sent = time.time()
            self.inflight[key] = (target, sent)
        try:
            response = requests.post(f"{self.urls[target]}/webhooks/rest/webhook", json=body,
                                     timeout=REQUEST_TIMEOUT)
        except requests.ConnectionError as error:
            return f"connection error ({type(error).__name__})", None, sent
        except requests.RequestException as error:
            return f"request failed ({type(error).__name__})", None, sent
        finally:
            with self.lock:
                self.inflight.pop(key, None)
        if response.status_code != 200:
            return f"HTTP {response.status_code}", None, sent
        try:
            return "ok", response.json(), sent
        except ValueError:
            return "invalid JSON", None, sent

    def send(self, turn: Turn) -> None:
        if turn.route == "nginx":
            target = "nginx"
        else:
            with self.lock:  # once B is killed, direct turns go to the survivor
                target = "A" if self.killed_at is not None or turn.index % 2 == 0 else "B"
        outcome, reply, turn.started = self._post(target, turn)
        turn.attempts.append((target, outcome))
        killed_at = self.killed_at
        if outcome != "ok" and killed_at is not None and (
                (target == "B" and outcome.startswith("connection error"))
                or (target == "nginx" and outcome == "HTTP 502")):
            # The turn died with B: the connection dropped (direct), or nginx answered 502 (it
            # does not resend a POST it has written, also when it wrote it on a kept-alive
            # connection to B just after B died). The client resends it once, after
            # resend_delay (see --resend-delay), as the README tells clients to. Any other
            # failure is an error.
            turn.dropped_at_kill = True
            time.sleep(self.resend_delay)
            target = "nginx" if target == "nginx" else "A"
            outcome, reply, _ = self._post(target, turn)
            turn.attempts.append((target, outcome))
        turn.latency = time.time() - turn.started
        if outcome != "ok":
            turn.error = f"{target}: {outcome}"
        elif not reply:
            turn.error = f"{target}: empty reply"
        else:
            turn.reply = reply

    def kill_b_mid_turn(self, min_age: float = 0.05, timeout: float = 300) -> Tuple[float, bool]:
        """SIGKILLs server B once a turn has been in flight on it for min_age seconds (so it is
        inside B, not just on its way). Returns the kill time and whether a turn was in
        flight."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                busy = [start for target, start in self.inflight.values() if target == "B"]
                if busy and time.time() - min(busy) >= min_age:
                    self.killed_at = time.time()
                    os.kill(self.server_b.popen.pid, signal.SIGKILL)
                    return self.killed_at, True
            time.sleep(0.005)
        with self.lock:  # no turn on B in time: kill it between turns
            self.killed_at = time.time()
            os.kill(self.server_b.popen.pid, signal.SIGKILL)
            return self.killed_at, False


def safety_ok(messages: List[dict]) -> bool:
    texts = " ".join(str(m.get("text") or "") for m in messages)
    customs = [m.get("custom") for m in messages if isinstance(m.get("custom"), dict)]
    has_number = any(number in texts for number in EMERGENCY_NUMBERS)
    has_resources = any(c.get("type") == "safety_resources" and c.get("resources")
                        for c in customs)
    return has_number and has_resources


# socket.io through nginx


async def _collect(inbox: asyncio.Queue) -> List[dict]:
    """One turn's reply: the first bot message, then the rest until 5 s of quiet."""
    messages: List[dict] = []
    try:
        messages.append(await asyncio.wait_for(inbox.get(), REQUEST_TIMEOUT))
        while True:
            messages.append(await asyncio.wait_for(inbox.get(), 5))
    except asyncio.TimeoutError:
        pass
    return messages


def _record(turn: Turn, messages: List[dict]) -> None:
    turn.latency = time.time() - turn.started
    turn.attempts.append(("nginx", "ok" if messages else "no reply"))
    if messages:
        turn.reply = messages
    else:
        turn.error = "socket.io: no reply"


async def _socketio_polling_turns(nginx_port: int, source_ip: str, conversation: Conversation,
                                  turns: List[Turn]) -> None:
    """With python-socketio's client over long polling (every request carries the engine.io
    sid, so every one must reach the same server). Its WebSocket transport needs a newer
    aiohttp than Rasa's, hence the raw WebSocket client below for the upgrade."""
    import aiohttp
    import socketio

    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source_ip, 0)))
    client = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=session)
    confirmed = asyncio.Event()
    inbox: asyncio.Queue = asyncio.Queue()

    @client.on("session_confirm")
    async def on_confirm(session_id):  # noqa: ANN001
        if session_id == conversation.sender:
            confirmed.set()

    @client.on("bot_uttered")
    async def on_bot(data):  # noqa: ANN001
        await inbox.put(data if isinstance(data, dict) else {"text": str(data)})

    try:
        await client.connect(f"http://127.0.0.1:{nginx_port}", headers={"Origin": ORIGIN},
                             socketio_path="socket.io", transports=["polling"],
                             wait_timeout=60)
        await client.emit("session_request", {"session_id": conversation.sender})
        await asyncio.wait_for(confirmed.wait(), 60)
        for turn in turns:
            turn.started = time.time()
            await client.emit("user_uttered", {"message": turn.text,
                                               "session_id": conversation.sender,
                                               "metadata": {"turn": turn.index}})
            _record(turn, await _collect(inbox))
    finally:
        try:
            await client.disconnect()
        finally:
            await session.close()


async def _socketio_websocket_turns(nginx_port: int, source_ip: str,
                                    conversation: Conversation, turns: List[Turn]) -> None:
    """A minimal socket.io v5 / engine.io v4 client straight over a WebSocket (what the widget
    ends up on after its upgrade), through nginx's Upgrade headers."""
    import websockets

    uri = f"ws://127.0.0.1:{nginx_port}/socket.io/?EIO=4&transport=websocket"
    inbox: asyncio.Queue = asyncio.Queue()
    control: asyncio.Queue = asyncio.Queue()
    async with websockets.connect(uri, origin=ORIGIN, local_addr=(source_ip, 0),
                                  open_timeout=60, ping_interval=None) as ws:
        async def reader() -> None:
            async for raw in ws:
                if not isinstance(raw, str):
                    continue
                if raw == "2":  # engine.io ping from the server
                    await ws.send("3")
                elif raw.startswith("42"):
                    name, *data = json.loads(raw[2:])
                    payload = data[0] if data else None
                    if name == "bot_uttered":
                        await inbox.put(payload if isinstance(payload, dict)
                                        else {"text": str(payload)})
                    else:
                        await control.put((name, payload))
                elif raw.startswith("40"):
                    await control.put(("connected", None))
                elif raw.startswith("44") or raw.startswith("41"):
                    await control.put(("refused", raw))

        task = asyncio.create_task(reader())
        try:
            await ws.send("40")  # connect to the default namespace
            name, _ = await asyncio.wait_for(control.get(), 60)
            if name != "connected":
                raise RuntimeError(f"socket.io connect refused: {name}")
            await ws.send("42" + json.dumps(["session_request",
                                             {"session_id": conversation.sender}]))
            while True:
                name, payload = await asyncio.wait_for(control.get(), 60)
                if name == "session_confirm" and payload == conversation.sender:
                    break
            for turn in turns:
                turn.started = time.time()
                await ws.send("42" + json.dumps(["user_uttered", {
                    "message": turn.text, "session_id": conversation.sender,
                    "metadata": {"turn": turn.index}}]))
                _record(turn, await _collect(inbox))
        finally:
            task.cancel()


def socketio_turns(transport: str, nginx_port: int, source_ip: str,
                   conversation: Conversation, turns: List[Turn]) -> str:
    run = _socketio_polling_turns if transport == "polling" else _socketio_websocket_turns
    try:
        asyncio.run(run(nginx_port, source_ip, conversation, turns))
    except Exception as error:  # noqa: BLE001 - recorded on the turns that got no reply
        for turn in turns:
            if not turn.attempts:
                turn.attempts.append(("nginx", "failed"))
                turn.error = f"socket.io ({transport}): {type(error).__name__}: {error}"
    return transport


def access_log(prefix: Path) -> List[Tuple[str, str, str, List[str]]]:
    """(method, uri, status, upstream addresses) for every request nginx logged."""
    pattern = re.compile(r'"(\S+) (\S+)" (\d+) .* upstream=(\S.*?) upstream_status=')
    rows = []
    for line in (prefix / "logs" / "access.log").read_text(errors="replace").splitlines():
        match = pattern.search(line)
        if match:
            method, uri, status, upstream = match.groups()
            addresses = [a.strip() for a in upstream.split(",")
                         if a.strip() and a.strip() != "-"]
            rows.append((method, uri, status, addresses))
    return rows


def socketio_upstream_for(nginx_port: int, prefix: Path, source_ip: str) -> Optional[str]:
    """The Rasa server nginx's hash picks for socket.io from source_ip (one handshake)."""
    import aiohttp

    async def handshake():
        connector = aiohttp.TCPConnector(local_addr=(source_ip, 0))
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.get(f"http://127.0.0.1:{nginx_port}/socket.io/",
                                   params={"EIO": "4", "transport": "polling"},
                                   headers={"Origin": ORIGIN}) as response:
                await response.read()
                return response.status

    before = len(access_log(prefix))
    status = asyncio.run(handshake())
    rows = access_log(prefix)[before:]
    if status != 200 or not rows or not rows[-1][3]:
        return None
    return rows[-1][3][-1]


# ---------------------------------------------------------------------------------------------
# Checks


def proxy_checks(nginx: str, server_a: str, token: str) -> List[Tuple[str, bool, str]]:
    results = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        results.append((name, ok, detail))

    r = requests.get(f"{nginx}/health", timeout=30)
    check("GET /health -> 200 {status: ok}",
          r.status_code == 200 and r.json().get("status") == "ok", f"{r.status_code}")
    direct = requests.get(f"{server_a}/conversations/probe/tracker", params={"token": token},
                          timeout=30)
    check("Rasa's API works on the server itself (with the token)", direct.status_code == 200,
          f"{direct.status_code}")
    for method, path in [("GET", "/conversations/probe/tracker"), ("GET", "/"),
                         ("GET", "/status"), ("GET", "/version"), ("POST", "/model/parse"),
                         ("PUT", "/model"), ("GET", "/webhooks/rest/"),
                         ("POST", "/conversations/probe/messages")]:
        r = requests.request(method, f"{nginx}{path}", params={"token": token},
                             json={"text": "hi"}, timeout=30)
        check(f"{method} {path} refused by nginx (with the token)", r.status_code == 404,
              f"{r.status_code}")
    r = requests.get(f"{nginx}/webhooks/rest/webhook", timeout=30)
    check("GET on the webhook -> 403 (POST only)", r.status_code == 403, f"{r.status_code}")
    big = json.dumps({"sender": "big-body", "message": "x" * 100_000})
    r = requests.post(f"{nginx}/webhooks/rest/webhook", data=big,
                      headers={"Content-Type": "application/json"}, timeout=30)
    check("100 kB body -> 413", r.status_code == 413, f"{r.status_code}")
    polling = {"EIO": "4", "transport": "polling"}
    r = requests.get(f"{nginx}/socket.io/", params=polling, headers={"Origin": ORIGIN},
                     timeout=30)
    check("socket.io handshake from the allowed origin -> 200", r.status_code == 200,
          f"{r.status_code}")
    r = requests.get(f"{nginx}/socket.io/", params=polling,
                     headers={"Origin": "http://evil.example"}, timeout=30)
    check("socket.io handshake from another origin -> 400", r.status_code == 400,
          f"{r.status_code}")
    return results


def rate_limit_check(nginx: str) -> Tuple[bool, str]:
    statuses = [requests.get(f"{nginx}/webhooks/rest/webhook", timeout=30).status_code
                for _ in range(80)]
    limited = statuses.count(429)
    first = statuses.index(429) + 1 if limited else None
    ok = limited > 0 and all(s == 403 for s in statuses[:30])
    return ok, f"80 quick requests from one address: {limited} got 429 (the first at #{first})"


def read_trackers(server: str, token: str, senders: List[str]) -> Dict[str, list]:
    trackers = {}
    for sender in senders:
        r = requests.get(f"{server}/conversations/{sender}/tracker",
                         params={"token": token, "include_events": "ALL"}, timeout=60)
        r.raise_for_status()
        trackers[sender] = r.json().get("events", [])
    return trackers


def postgres_turns(db: Dict[str, str], senders: List[str]) -> Dict[str, List[Optional[int]]]:
    import psycopg2

    connection = psycopg2.connect(host=db["DB_HOST"], port=db["DB_PORT"], dbname=db["DB_NAME"],
                                  user=db["DB_USER"], password=db["DB_PASSWORD"])
    result: Dict[str, List[Optional[int]]] = {s: [] for s in senders}
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT sender_id, data FROM events WHERE type_name = 'user' "
                       "AND sender_id = ANY(%s) ORDER BY id", (senders,))
        for sender, data in cursor.fetchall():
            metadata = (json.loads(data) if data else {}).get("metadata") or {}
            result[sender].append(metadata.get("turn"))
    connection.close()
    return result


def verify(conversations: List[Conversation], trackers: Dict[str, list],
           stored: Dict[str, List[Optional[int]]]) -> Dict[str, object]:
    counts = {"lost": 0, "duplicated": 0, "out_of_order": 0, "no_reply": 0, "wrong_text": 0,
              "unexpected": 0, "postgres_mismatch": 0}
    occurrences: Dict[Tuple[str, int], int] = {}
    problems: List[str] = []
    for conversation in conversations:
        events = trackers.get(conversation.sender, [])
        expected = {t.index: t.text for t in conversation.turns}
        recorded: List[Optional[int]] = []
        replied: List[bool] = []
        for event in events:
            if event.get("event") == "user":
                turn = (event.get("metadata") or {}).get("turn")
                recorded.append(turn)
                replied.append(False)
                if turn not in expected:
                    counts["unexpected"] += 1
                    problems.append(f"{conversation.sender}: unexpected user event {turn!r}")
                elif event.get("text") != expected[turn]:
                    counts["wrong_text"] += 1
                    problems.append(f"{conversation.sender}: turn {turn} has other text")
            elif event.get("event") == "bot" and replied:
                replied[-1] = True
        for index in expected:
            n = recorded.count(index)
            occurrences[(conversation.sender, index)] = n
            if n == 0:
                counts["lost"] += 1
                problems.append(f"{conversation.sender}: turn {index} lost")
            elif n > 1:
                counts["duplicated"] += n - 1
                problems.append(f"{conversation.sender}: turn {index} recorded {n} times")
        known = [r for r in recorded if r in expected]
        disorder = sum(1 for a, b in zip(known, known[1:]) if b < a)
        if disorder:
            counts["out_of_order"] += disorder
            problems.append(f"{conversation.sender}: order {known}")
        missing_reply = replied.count(False)
        if missing_reply:
            counts["no_reply"] += missing_reply
            problems.append(f"{conversation.sender}: {missing_reply} user turn(s) without a "
                            "bot reply in the tracker")
        if stored.get(conversation.sender) != recorded:
            counts["postgres_mismatch"] += 1
            problems.append(f"{conversation.sender}: PostgreSQL has "
                            f"{stored.get(conversation.sender)}, the API {recorded}")
    counts["problems"] = problems
    counts["occurrences"] = occurrences
    return counts


def purge_check(db: Dict[str, str], victim: str) -> Tuple[bool, str]:
    """Runs deploy/purge_conversations.py on the real database: nothing is old enough at first;
    then one conversation is made two days idle and must be deleted, and only that one."""
    import psycopg2

    env = dict(os.environ, **db)
    env.pop("DATABASE_URL", None)

    def run(*args: str) -> str:
        done = subprocess.run([PYTHON, str(PURGE), *args], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True, timeout=120)
        return done.stdout.strip()

    def counts():
        connection = psycopg2.connect(host=db["DB_HOST"], port=db["DB_PORT"],
                                      dbname=db["DB_NAME"], user=db["DB_USER"],
                                      password=db["DB_PASSWORD"])
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE sender_id = %s) FROM events",
                           (victim,))
            total, mine = cursor.fetchone()
        connection.close()
        return total, mine

    first = run("--days", "1")
    total, mine = counts()
    connection = psycopg2.connect(host=db["DB_HOST"], port=db["DB_PORT"], dbname=db["DB_NAME"],
                                  user=db["DB_USER"], password=db["DB_PASSWORD"])
    with connection, connection.cursor() as cursor:
        cursor.execute("UPDATE events SET timestamp = timestamp - 2 * 86400 WHERE sender_id = %s",
                       (victim,))
    connection.close()
    dry = run("--days", "1", "--dry-run")
    second = run("--days", "1")
    total_after, mine_after = counts()
    ok = ("deleted 0 events of 0 conversations" in first
          and f"would delete {mine} events of 1 conversations" in dry
          and f"deleted {mine} events of 1 conversations" in second
          and mine_after == 0 and total_after == total - mine and mine > 0)
    return ok, (f"retention 1 day: {first.split(': ', 1)[-1]}; one conversation aged 2 days: "
                f"{second.split(': ', 1)[-1]}; other conversations untouched "
                f"({total_after} events left)")


def redis_variant_check(redis_env: Dict[str, str], action_url: str) -> Tuple[bool, str]:
    env = dict(os.environ, **redis_env, ACTION_ENDPOINT_URL=action_url)
    done = subprocess.run([PYTHON, __file__, "--check-redis-tracker-store"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return False, f"failed: {(done.stderr or done.stdout)[-800:]}"
    result = json.loads(lines[-1])
    ok = (result["tracker_store"] == "RedisTrackerStore"
          and result["lock_store"] == "RenewingRedisLockStore" and 86000 < result["ttl"] <= 86400
          and result["retrieved_user_text"] == "hi")
    return ok, (f"{result['tracker_store']} + {result['lock_store']} from "
                f"deploy/endpoints.redis.yml; a saved conversation's key expires in "
                f"{result['ttl']} s (record_exp 86400)")


def check_redis_tracker_store() -> None:
    """Run in a subprocess: builds the stores from deploy/endpoints.redis.yml (env vars set)."""
    import logging
    import uuid

    logging.disable(logging.WARNING)
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import read_endpoints_from_path
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    endpoints = read_endpoints_from_path(str(ENDPOINTS_REDIS))
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    lock_store = LockStore.create(endpoints.lock_store)
    sender = f"redis-variant-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker.from_events(
        sender, [ActionExecuted("action_listen"), UserUttered("hi"), BotUttered("hello")])
    asyncio.run(store.save(tracker))
    key = store.key_prefix + sender
    ttl = store.red.ttl(key)
    back = asyncio.run(store.retrieve(sender))
    store.red.delete(key)
    print(json.dumps({"tracker_store": type(store).__name__,
                      "lock_store": type(lock_store).__name__, "ttl": ttl,
                      "retrieved_user_text": back.latest_message.text if back else None}))


# ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, tmp: Path, stack: Stack) -> bool:
    started = time.time()
    failures: List[str] = []

    log("starting redis and postgres")
    redis_env = start_redis(stack, tmp)
    db_env = start_postgres(stack, tmp)

    action_port = free_port()
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    actions = stack.start("actions", [RASA, "run", "actions", "--actions", "actions",
                                      "--port", str(action_port)],
                          env=dict(os.environ, SANIC_HOST="127.0.0.1", SANIC_KEEP_ALIVE_TIMEOUT="120"))
    log("starting the action server and two Rasa servers (the model takes a while to load)")
    token = secrets.token_hex(16)
    env = dict(os.environ)
    env.pop("LOG_LEVEL", None)
    env.update(redis_env)
    env.update(db_env)
    env.update(ACTION_ENDPOINT_URL=action_url, RASA_CORS=ORIGIN,
               RASA_TELEMETRY_ENABLED="false")
    ports = {"A": free_port(), "B": free_port()}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    servers: Dict[str, Proc] = {}
    load_start = time.time()
    for name in ("A", "B"):
        servers[name] = stack.start(f"rasa_{name}", [
            RASA, "run", "--model", "models", "--port", str(ports[name]),
            "--interface", "127.0.0.1", "--endpoints", str(ENDPOINTS.relative_to(ROOT)),
            "--credentials", "credentials.yml", "--enable-api", "--auth-token", token,
            "--cors", ORIGIN], env=env)

    nginx_port = free_port()
    prefix, config = nginx_config(tmp, f"127.0.0.1:{nginx_port}", [ports["A"], ports["B"]])
    nginx_bin = which("nginx")
    error_log = str(prefix / "logs" / "error.log")
    subprocess.run([nginx_bin, "-t", "-q", "-p", str(prefix), "-e", error_log, "-c", str(config)],
                   check=True)
    nginx = stack.start("nginx", [nginx_bin, "-p", str(prefix), "-e", error_log, "-c", str(config),
                                  "-g", "daemon off;"])
    urls["nginx"] = f"http://127.0.0.1:{nginx_port}"

    wait_for(f"http://127.0.0.1:{action_port}/health", actions.popen, timeout=START_TIMEOUT)
    ready = {}
    for name in ("A", "B"):
        try:
            wait_for(f"{urls[name]}/", servers[name].popen, timeout=START_TIMEOUT)
        except Exception:
            print(tail(servers[name].log, 40), file=sys.stderr)
            raise
        ready[name] = time.time() - load_start
    wait_until(lambda: requests.get(f"{urls['nginx']}/health", timeout=5).status_code == 200,
               "nginx", 60, nginx)
    log(f"servers ready: A after {ready['A']:.0f} s, B after {ready['B']:.0f} s "
        "(loaded in parallel)")

    checks = proxy_checks(urls["nginx"], urls["A"], token)
    for name, ok, detail in checks:
        if not ok:
            failures.append(f"proxy check failed: {name} (got {detail})")
    log(f"proxy checks: {sum(ok for _, ok, _ in checks)}/{len(checks)} passed")

    # the plan
    run_id = secrets.token_hex(4)
    conversations: List[Conversation] = []
    n_nginx = max(1, args.conversations // 5)
    for i in range(args.conversations):
        route = "nginx" if i >= args.conversations - n_nginx else "direct"
        conversation = Conversation(f"multi-{run_id}-{i:02d}", route)
        for k, text in enumerate(SCRIPTS[i % len(SCRIPTS)]):
            conversation.turns.append(Turn(conversation.sender, k, text, route))
        conversations.append(conversation)
    turns_per = len(SCRIPTS[0])
    for conversation in (conversations[0], conversations[-1]):  # safety, after the kill
        conversation.turns.append(Turn(conversation.sender, turns_per, SAFETY,
                                       conversation.route))
    sio = Conversation(f"multisio{run_id}{secrets.token_hex(8)}", "socketio")
    for k, text in enumerate(SOCKETIO_BEFORE + SOCKETIO_AFTER):
        sio.turns.append(Turn(sio.sender, k, text, "socketio"))
    # the order turns are handed to the two workers: the nginx conversations between the first
    # direct ones, so that when B is killed under a direct turn the other worker is often
    # inside nginx (and nginx may have sent that turn to B: the 502 path)
    direct_ones = [c for c in conversations if c.route == "direct"]
    nginx_ones = [c for c in conversations if c.route == "nginx"]
    order: List[Conversation] = []
    for i, conversation in enumerate(direct_ones):
        order.append(conversation)
        if i < len(nginx_ones):
            order.append(nginx_ones[i])
    waves = max(len(c.turns) for c in conversations)
    kill_wave = turns_per // 2 - 1 if (turns_per // 2 - 1) % 2 == 1 else turns_per // 2

    # socket.io: a loopback source address that nginx's hash sends to B
    sio_source, sio_server = "127.0.0.1", None
    addresses = {f"127.0.0.1:{port}": name for name, port in ports.items()}
    for last in range(1, 60):
        source = f"127.0.0.{last}"
        upstream = socketio_upstream_for(nginx_port, prefix, source)
        if upstream and addresses.get(upstream) == "B":
            sio_source, sio_server = source, "B"
            break
        if upstream and sio_server is None:
            sio_source, sio_server = source, addresses.get(upstream)
    log(f"socket.io conversation: from {sio_source}, which nginx sends to server {sio_server}")

    traffic = Traffic(urls, servers["B"], args.resend_delay)
    log_rows_before_sio = len(access_log(prefix))
    socketio_turns("polling", nginx_port, sio_source, sio, sio.turns[:len(SOCKETIO_BEFORE)])
    sio_rows = [r for r in access_log(prefix)[log_rows_before_sio:] if r[1] == "/socket.io/"]
    sio_upstreams = {addresses.get(r[3][-1]) for r in sio_rows if r[3]}
    log(f"socket.io before the kill: {len(SOCKETIO_BEFORE)} turns over long polling, "
        f"{len(sio_rows)} requests, all to server(s) {sorted(x or '?' for x in sio_upstreams)}")
    if len(sio_upstreams) != 1:
        failures.append(f"socket.io requests were not sticky: {sio_upstreams}")

    kill_time, kill_how, rest_before, sio_after = None, "", 0, []
    traffic_start = time.time()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for wave in range(waves):
            batch = [c.turns[wave] for c in order if wave < len(c.turns)]
            killer = None
            if wave == kill_wave:
                killer_thread_result: Dict[str, Tuple[float, bool]] = {}
                killer = threading.Thread(
                    target=lambda: killer_thread_result.update(t=traffic.kill_b_mid_turn()),
                    daemon=True)
                killer.start()
            list(pool.map(traffic.send, batch))
            if killer is not None:
                killer.join()
                kill_time, mid_turn = killer_thread_result["t"]
                rest_before = sum(1 for c in conversations for t in c.turns
                                  if t.started and t.started < kill_time)
                kill_how = "while B was handling a turn" if mid_turn else "between turns"
                log(f"wave {wave + 1}/{waves}: server B killed (SIGKILL) {kill_how}, after "
                    f"{rest_before} REST turns had been sent")
                before_ws = len(access_log(prefix))
                socketio_turns("websocket", nginx_port, sio_source, sio,
                               sio.turns[len(SOCKETIO_BEFORE):])
                ws_rows = [r for r in access_log(prefix)[before_ws:] if r[1] == "/socket.io/"]
                sio_after = sorted({addresses.get(r[3][-1], "?") for r in ws_rows if r[3]})
                log(f"socket.io after the kill: {len(SOCKETIO_AFTER)} turns over a WebSocket "
                    f"(a new connection, the same session id), served by {sio_after}")
            else:
                log(f"wave {wave + 1}/{waves}: {len(batch)} turns")
    traffic_seconds = time.time() - traffic_start
    if servers["B"].popen.poll() is None:
        failures.append("server B was never killed")

    # read everything back
    all_conversations = conversations + [sio]
    senders = [c.sender for c in all_conversations]
    trackers = read_trackers(urls["A"], token, senders)
    stored = postgres_turns(db_env, senders)
    result = verify(all_conversations, trackers, stored)
    all_turns = [t for c in all_conversations for t in c.turns]
    errors = [t for t in all_turns if t.error]
    dropped = [t for t in all_turns if t.dropped_at_kill]
    safety_turns = [t for t in all_turns if t.text == SAFETY]
    safety_passed = [t for t in safety_turns if not t.error and safety_ok(t.reply)]

    import redis
    red = redis.Redis(host="127.0.0.1", port=int(redis_env["REDIS_PORT"]),
                      password=redis_env["REDIS_PASSWORD"], db=int(redis_env["REDIS_LOCK_DB"]))
    lock_keys = len(red.keys("lock:*"))

    purge_ok, purge_detail = purge_check(db_env, conversations[1].sender)
    redis_ok, redis_detail = redis_variant_check(redis_env, action_url)
    rate_ok, rate_detail = rate_limit_check(urls["nginx"])

    # nginx's view: which server answered each proxied request
    rows = access_log(prefix)
    webhook_rows = [r for r in rows if r[0] == "POST" and r[1] == "/webhooks/rest/webhook"]
    via = {"A": 0, "B": 0}
    failovers = 0
    for _, _, status, upstreams in webhook_rows:
        if status == "200" and upstreams:
            server = addresses.get(upstreams[-1], "?")
            via[server] = via.get(server, 0) + 1
        if len(upstreams) > 1:
            failovers += 1
    direct = {"A": 0, "B": 0}
    for turn in all_turns:
        if turn.route == "direct" and turn.served_by in direct:
            direct[turn.served_by] += 1
    latencies = [t.latency for t in all_turns if t.latency is not None and not t.error
                 and t.route != "socketio"]
    after_kill = [t.latency for t in all_turns if kill_time and t.started >= kill_time - 1
                  and t.latency is not None and t.route != "socketio"]

    for turn in errors:
        failures.append(f"error: {turn.conversation} turn {turn.index}: {turn.error}")
    failures += result["problems"]
    if len(safety_passed) != len(safety_turns):
        failures.append(f"safety: {len(safety_turns) - len(safety_passed)} safety message(s) "
                        "without an emergency resource")
    if not purge_ok:
        failures.append(f"purge check failed: {purge_detail}")
    if not redis_ok:
        failures.append(f"redis tracker store check failed: {redis_detail}")
    if not rate_ok:
        failures.append(f"rate limit check failed: {rate_detail}")

    n_rest = len(conversations)
    print()
    print(f"Multi-instance test, {datetime.now():%Y-%m-%d %H:%M}, {machine()}")
    print(f"  set-up: 2 Rasa servers (A, B) + 1 action server, Redis lock store, PostgreSQL "
          f"tracker store, nginx; ready in {max(ready.values()):.0f} s")
    print(f"  conversations: {len(all_conversations)} ({n_rest - n_nginx} direct, alternating "
          f"A/B; {n_nginx} through nginx REST; 1 through nginx socket.io)")
    print(f"  turns sent: {len(all_turns)}; user turns in the trackers: "
          f"{sum(len([e for e in trackers[s] if e.get('event') == 'user']) for s in senders)}")
    print(f"  kill: server B SIGKILLed in wave {kill_wave + 1} of {waves}, {kill_how}, after "
          f"{rest_before} REST + {len(SOCKETIO_BEFORE)} socket.io turns")
    print(f"  lost turns: {result['lost']}")
    print(f"  duplicated turns: {result['duplicated']}")
    print(f"  out-of-order turns: {result['out_of_order']}")
    print(f"  turns without a bot reply: {result['no_reply']} in the trackers, "
          f"{sum(1 for t in all_turns if not t.reply)} at the client")
    print(f"  other tracker problems: {result['wrong_text']} wrong text, {result['unexpected']} "
          f"unexpected, {result['postgres_mismatch']} PostgreSQL/API mismatches")
    print(f"  errors: {len(errors)}")
    once = sum(1 for t in dropped
               if result["occurrences"].get((t.conversation, t.index)) == 1)
    answered = sum(1 for t in dropped if not t.error)
    print(f"  turns in flight on B when it died: {len(dropped)} "
          f"({', '.join(f'{t.route}: {t.attempts[0][1]}' for t in dropped) or 'none'}; resent "
          f"after {args.resend_delay:g} s: {answered} answered, {once} recorded exactly once)")
    print(f"  per server: direct A {direct['A']}, direct B {direct['B']}; nginx REST -> A "
          f"{via.get('A', 0)}, -> B {via.get('B', 0)}; nginx skipped the dead server "
          f"{failovers} time(s); socket.io on {sio_server} before the kill, on "
          f"{'/'.join(sio_after) or '?'} after")
    print(f"  safety message after the kill: {len(safety_passed)}/{len(safety_turns)} replies "
          f"with an emergency number and helplines (direct, nginx, socket.io)")
    if latencies:
        print(f"  latency (REST): p50 {percentile(latencies, 50) * 1000:.0f} ms, p95 "
              f"{percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies):.1f} s; "
              f"slowest turn after the kill {max(after_kill or [0]):.1f} s")
    print(f"  traffic took {traffic_seconds:.0f} s; whole run {time.time() - started:.0f} s; "
          f"lock keys left in Redis: {lock_keys}")
    print(f"  proxy: {sum(ok for _, ok, _ in checks)}/{len(checks)} checks passed "
          f"(API paths 404, 413, POST only, socket.io origin check); {rate_detail}")
    print(f"  purge: {purge_detail}")
    print(f"  redis variant: {redis_detail}")
    if failures:
        print("\nFAILED:")
        for failure in failures[:60]:
            print(f"  - {failure}")
        if len(failures) > 60:
            print(f"  ... and {len(failures) - 60} more")
    print(f"\nRESULT: {'PASS' if not failures else 'FAIL'}")
    return not failures


def main() -> None:
    parser = argparse.ArgumentParser(description="Two Rasa servers, Redis, PostgreSQL, nginx, "
                                                 "one server killed mid-run.")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--resend-delay", type=float, default=0.0,
        help="seconds the client waits before resending a turn that died with server B "
             "(default 0). With Rasa 3.6.21's own RedisLockStore, a resend that queued less "
             "than about 1 s behind the dead server's ticket was never served (its own ticket "
             "expired together with the dead one); stores/lock_store.py fixes that, and 0 "
             "shows it.")
    parser.add_argument("--check-redis-tracker-store", action="store_true",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check_redis_tracker_store:
        check_redis_tracker_store()
        return
    if args.conversations < 2:
        parser.error("--conversations must be at least 2")
    os.chdir(ROOT)
    ensure_packages()
    tmp = Path(tempfile.mkdtemp(prefix="coach-multi-"))
    tmp.chmod(0o755)  # the postgres and nginx worker users must reach their directories
    (tmp / "logs").mkdir()
    stack = Stack(tmp / "logs")

    def on_term(signum, frame):  # noqa: ANN001
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    # Ctrl-C raises KeyboardInterrupt even when started from a shell that ignores SIGINT for
    # background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ok = False
    try:
        ok = run(args, tmp, stack)
    except KeyboardInterrupt:
        print("\nmulti: interrupted", file=sys.stderr)
    except Exception as error:  # noqa: BLE001 - reported, then everything is stopped
        import traceback
        traceback.print_exc()
        print(f"\nmulti: {error}", file=sys.stderr)
    finally:
        log("stopping everything")
        stack.stop_all()
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"logs kept in {tmp}/logs (nginx: {tmp}/nginx/logs)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
