"""The lock store for several servers (stores/lock_store.py): after a server dies holding a
conversation's lock, the next message of that conversation is answered, even one that arrived
within the same second (Rasa 3.6.21's own RedisLockStore waits for ever then). Run against a
real redis-server on loopback (skipped where Redis is not installed: `make multi` installs it)."""
import asyncio
import shutil
import subprocess
import time

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from stores.lock_store import RenewingRedisLockStore
from tests.run_async import run_async
from tests.servers import free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed here")


@pytest.fixture(scope="module")
def redis_port():
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def store(kind, port, lifetime):
    if kind is RenewingRedisLockStore:
        instance = RenewingRedisLockStore(EndpointConfig(url="127.0.0.1", port=str(port), db="3"))
    else:
        instance = RedisLockStore(host="127.0.0.1", port=port, db=3)
    instance.red.flushdb()
    instance.lifetime = lifetime
    return instance


async def dead_server_then_message(lock_store, lifetime):
    """A server takes the lock and dies (never releases it); a moment later, less than Rasa's
    polling interval (1 s; 0.5 s here), another message of the same conversation takes a ticket
    and waits. Returns whether it got the lock within 5 s, and its ticket."""
    lock_store.issue_ticket("c", lifetime)  # the dead server's ticket
    await asyncio.sleep(0.02)
    waiting = lock_store.issue_ticket("c", lifetime)
    try:
        await asyncio.wait_for(lock_store._acquire_lock("c", waiting, 0.5), timeout=5)
    except asyncio.TimeoutError:
        return False, waiting
    return True, waiting


def test_rasas_own_store_waits_for_ever_after_a_dead_server(redis_port):
    got_it, _ = run_async(dead_server_then_message(store(RedisLockStore, redis_port, 0.3), 0.3))
    assert not got_it  # the bug this store exists for; if Rasa fixes it, this shows it


def test_the_message_after_a_dead_server_is_answered(redis_port):
    lock_store = store(RenewingRedisLockStore, redis_port, 0.3)
    started = time.monotonic()
    got_it, ticket = run_async(dead_server_then_message(lock_store, 0.3))
    assert got_it and time.monotonic() - started < 2
    # it holds the line again: a message arriving now waits behind it
    later = lock_store.issue_ticket("c", 0.3)
    assert lock_store.get_lock("c").now_serving == ticket
    assert lock_store.get_lock("c").is_locked(later)


def test_a_live_ticket_is_never_jumped(redis_port):
    async def scenario():
        lock_store = store(RenewingRedisLockStore, redis_port, 60)
        first = lock_store.issue_ticket("c", 60)
        second = lock_store.issue_ticket("c", 60)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(lock_store._acquire_lock("c", second, 0.05), timeout=0.5)
        lock_store.finish_serving("c", first)  # the first server finished its turn
        lock = await asyncio.wait_for(lock_store._acquire_lock("c", second, 0.05), timeout=2)
        assert lock.now_serving == second

    run_async(scenario())


def test_an_expired_waiter_waits_for_a_later_live_ticket_then_goes(redis_port):
    async def scenario():
        lock_store = store(RenewingRedisLockStore, redis_port, 0.3)
        lock_store.issue_ticket("c", 0.3)  # a server that dies
        waiting = lock_store.issue_ticket("c", 0.3)
        await asyncio.sleep(0.4)  # both expired; then a later message takes a live ticket
        later = lock_store.issue_ticket("c", 60)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(lock_store._acquire_lock("c", waiting, 0.05), timeout=0.5)
        lock_store.cleanup("c", later)  # it finished (and deleted the lock: no one was in line)
        lock = await asyncio.wait_for(lock_store._acquire_lock("c", waiting, 0.05), timeout=2)
        assert lock.now_serving == waiting

    run_async(scenario())
