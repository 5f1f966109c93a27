"""Starts the real action server and Rasa server (REST and socket.io channels) on free ports, for
the e2e tests (tests/e2e) and the browser tests (tests/browser), which share one server."""
from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional, Sequence

import requests

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


class Coach:
    def __init__(self, rasa_port: int, action_port: int, logs: Path):
        self.url = f"http://127.0.0.1:{rasa_port}"
        self.action_port = action_port
        self.logs = logs
        self.action_process = None
        self.rasa_process = None
        self.origins: Sequence[str] = ()

    def start_actions(self) -> None:
        self.action_process = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
             "--port", str(self.action_port)],
            cwd=ROOT, stdout=(self.logs / "actions.log").open("ab"), stderr=subprocess.STDOUT,
            # as `make run`: loopback only, keep-alive 120 s
            env=dict(os.environ, SANIC_HOST="127.0.0.1", SANIC_KEEP_ALIVE_TIMEOUT="120"),
        )
        wait_for(f"http://127.0.0.1:{self.action_port}/health", self.action_process)

    def stop_actions(self) -> None:
        if self.action_process and self.action_process.poll() is None:
            self.action_process.terminate()
            self.action_process.wait(30)

    def say(self, sender: str, message, metadata=None) -> list:
        body = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=120)
        assert response.status_code == 200, response.text
        return response.json()

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.logs.glob("*.log"))

    def stop(self) -> None:
        if self.rasa_process is not None:
            self.rasa_process.terminate()
        self.stop_actions()
        if self.rasa_process is not None:
            self.rasa_process.wait(30)


def start_coach(logs: Path, origins: Optional[Sequence[str]] = None) -> Coach:
    """The action server, then the Rasa server with the browser ``origins`` allowed (RASA_CORS
    for the socket.io channel, --cors for the HTTP routes)."""
    rasa_port, action_port = free_port(), free_port()
    endpoints = logs / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    server = Coach(rasa_port, action_port, logs)
    server.origins = tuple(origins or ())
    server.start_actions()
    env = dict(os.environ)
    env.pop("LOG_LEVEL", None)
    env["RASA_CORS"] = " ".join(server.origins)
    command = [str(VENV_BIN / "rasa"), "run", "--model", "models", "--port", str(rasa_port),
               "--interface", "127.0.0.1", "--endpoints", str(endpoints),
               "--credentials", "credentials.yml"]
    if server.origins:
        command += ["--cors", *server.origins]
    server.rasa_process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=(logs / "rasa.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"{server.url}/", server.rasa_process)
    except Exception:
        server.stop()
        raise
    return server
