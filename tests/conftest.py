import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.servers import free_port, start_coach  # noqa: E402


@pytest.fixture(scope="session")
def demo_port() -> int:
    """The port of the widget demo page (tests/browser); its origin may use the coach."""
    return free_port()


@pytest.fixture(scope="session")
def coach(tmp_path_factory, demo_port):
    """The real action server and Rasa server (REST and socket.io), shared by tests/e2e and
    tests/browser; the demo page's origin is the only browser origin allowed."""
    if not list((ROOT / "models").glob("*.tar.gz")):
        pytest.fail("no trained model: run `make train` (make test does this first)")
    server = start_coach(tmp_path_factory.mktemp("logs"),
                         origins=[f"http://127.0.0.1:{demo_port}"])
    try:
        yield server
    finally:
        server.stop()
