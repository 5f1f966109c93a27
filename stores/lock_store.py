"""Rasa's RedisLockStore, without the hang that follows a server dying mid-turn.

Rasa 3.6.21's ticket lock: a server takes a numbered ticket for a conversation in Redis, waits
until its ticket is first in line, handles the message and removes the ticket. A ticket expires
after TICKET_LOCK_LIFETIME seconds (default 60), so that a server that died holding one does not
block the conversation for ever. But the waiting ticket expires too: when a message arrives less
than a polling interval (1 s) after the dead server took its ticket, both tickets expire in the
same polling round, the waiter's own ticket is gone, no ticket is first in line, and Rasa's loop
("first in line is not me") polls for ever. The person's message is never answered (measured by
scripts/multi_instance_test.py, which therefore made clients wait 2 s before resending).

Here a waiter whose ticket has gone takes its place in line again, but only when no live ticket
is left (or the lock was deleted): everyone before it is gone, and a message that comes later
queues behind it. While another live ticket is in line, it keeps waiting. Taking the place is one
Redis transaction (WATCH/MULTI), so two servers cannot both take it.
Use it with ``lock_store: type: stores.lock_store.RenewingRedisLockStore``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


class RenewingRedisLockStore(RedisLockStore):
    """A RedisLockStore whose waiting tickets never wait for ever (see the module docstring)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # the same settings as `type: redis` (Rasa passes the endpoint config to custom stores)
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)
        self.lifetime = LOCK_LIFETIME

    async def _acquire_lock(
        self, conversation_id: Text, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if lock is not None and not lock.is_locked(ticket):
                return lock
            if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                renewed = self._take_line_again(conversation_id, ticket)
                if renewed is not None:
                    return renewed
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)

    def _take_line_again(self, conversation_id: Text, ticket: int) -> Optional[TicketLock]:
        """Our ticket has gone: put it back when no live ticket is in line (one transaction)."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                lock = (TicketLock.from_dict(json.loads(raw)) if raw
                        else TicketLock(conversation_id))
                lock.remove_expired_tickets()
                if lock.tickets:
                    pipe.unwatch()
                    return None  # a live ticket is in line: wait for it
                lock.tickets.append(Ticket(ticket, time.time() + self.lifetime))
                pipe.multi()
                pipe.set(key, lock.dumps())
                pipe.execute()
            except redis.WatchError:
                return None  # someone changed the line meanwhile: look again
        logger.warning("A conversation's lock ticket expired while waiting (a server stopped "
                       "mid-turn); it took its place in line again.")
        return lock
