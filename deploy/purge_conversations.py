"""Delete stored conversations that have been idle for longer than the retention period.

Rasa's SQL tracker store (tracker_store type SQL, deploy/endpoints.production.yml) keeps every
event of every conversation in the table ``events`` (sender_id, type_name, timestamp,
intent_name, action_name, data) and never deletes anything. Conversations with Trust Coach are
about affairs, lies and abuse, so they must not be kept longer than needed: run this daily
(cron or a systemd timer). It deletes all the events of each conversation (sender_id) whose
latest event is older than --days days; a conversation that is still going, however long ago it
started, is kept whole. Nothing of what it deletes is printed, only counts.

    # the same DB_* environment variables as deploy/endpoints.production.yml
    .venv/bin/python deploy/purge_conversations.py --days 1
    .venv/bin/python deploy/purge_conversations.py --days 1 --dry-run     # count only
    .venv/bin/python deploy/purge_conversations.py --url postgresql://user:pw@host/rasa

    # crontab: every day at 03:15
    15 3 * * *  cd /srv/trust-coach && .venv/bin/python deploy/purge_conversations.py --days 1

The connection is --url, else DATABASE_URL, else DB_HOST, DB_PORT, DB_NAME, DB_USER,
DB_PASSWORD and DB_SSLMODE (PostgreSQL). POSTGRESQL_SCHEMA is honoured as Rasa honours it.
One DELETE statement in one transaction: a conversation that gets a new message while the purge
runs keeps that message (PostgreSQL does not delete rows committed after the statement began);
with retention longer than the session expiry (60 minutes, domain.yml) that message starts a new
session anyway. scripts/multi_instance_test.py checks this script on a real PostgreSQL.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Optional, Tuple

import sqlalchemy as sa

TABLE = "events"  # rasa.core.tracker_store.SQLTrackerStore.SQLEvent.__tablename__ (Rasa 3.6)

# Conversations whose newest event is older than the cutoff (NULL timestamps count as old).
IDLE = (
    f"SELECT sender_id FROM {TABLE} GROUP BY sender_id "
    "HAVING COALESCE(MAX(timestamp), 0) < :cutoff"
)
COUNT = (
    f"SELECT COUNT(DISTINCT sender_id), COUNT(*) FROM {TABLE} "
    f"WHERE sender_id IN ({IDLE})"
)
DELETE = f"DELETE FROM {TABLE} WHERE sender_id IN ({IDLE})"


def database_url() -> sa.engine.URL:
    url = os.environ.get("DATABASE_URL")
    if url:
        return sa.engine.make_url(url)
    missing = [name for name in ("DB_HOST", "DB_NAME", "DB_USER") if not os.environ.get(name)]
    if missing:
        sys.exit(f"purge: set --url, DATABASE_URL or {', '.join(missing)}")
    query = {}
    if os.environ.get("DB_SSLMODE"):
        query["sslmode"] = os.environ["DB_SSLMODE"]
    return sa.engine.URL.create(
        "postgresql",
        username=os.environ["DB_USER"],
        password=os.environ.get("DB_PASSWORD") or None,
        host=os.environ["DB_HOST"],
        port=int(os.environ.get("DB_PORT") or 5432),
        database=os.environ["DB_NAME"],
        query=query,
    )


def make_engine(url) -> sa.engine.Engine:
    url = sa.engine.make_url(url) if isinstance(url, str) else url
    kwargs = {}
    schema = os.environ.get("POSTGRESQL_SCHEMA")
    if schema and url.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    return sa.create_engine(url, **kwargs)


def purge(engine: sa.engine.Engine, days: float, dry_run: bool = False,
          now: Optional[float] = None) -> Tuple[int, int]:
    """Deletes (or with ``dry_run`` only counts) the events of every conversation idle for more
    than ``days`` days. Returns (conversations, events)."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    cutoff = (time.time() if now is None else now) - days * 86400
    with engine.begin() as connection:
        if not sa.inspect(connection).has_table(TABLE):
            return 0, 0  # no Rasa server has started on this database yet
        conversations, events = connection.execute(sa.text(COUNT), {"cutoff": cutoff}).one()
        if not dry_run and events:
            events = connection.execute(sa.text(DELETE), {"cutoff": cutoff}).rowcount
    return int(conversations), int(events)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, default=1.0,
                        help="retention: delete conversations idle longer than this (default 1)")
    parser.add_argument("--url", help="SQLAlchemy URL of the tracker store database")
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    args = parser.parse_args(argv)
    engine = make_engine(args.url or database_url())
    try:
        conversations, events = purge(engine, args.days, args.dry_run)
    finally:
        engine.dispose()
    verb = "would delete" if args.dry_run else "deleted"
    print(f"purge: {verb} {events} events of {conversations} conversations idle for more than "
          f"{args.days:g} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
