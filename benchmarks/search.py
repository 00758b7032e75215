"""Search at scale: 1,000,000 messages in 10,000 rooms and 100,000 people, generated with SQL
straight into a fresh PostgreSQL database, then the queries searchMessages and searchPeople
run (the functions' own SQL, over one connection, without HTTP).

Targets (issue 16): searchMessages p99 under 50 ms for a person in 50 rooms; searchPeople
p99 under 20 ms. ``SEARCH_BENCH_MESSAGES`` / ``SEARCH_BENCH_PEOPLE`` shrink the data set for
a quick run. ``SEARCH_BENCH_KEEP=1`` keeps the generated database (named after its size) on
the machine's PostgreSQL and reuses it on the next run, migrated to the current schema, so
only the first run pays the minutes of generating it; drop it by hand when done.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from benchmarks._support import summary, table, timed
from tests.support.database import SERVER_URL, fresh_database
from tools.localdb import create_database
from tools.migrate import migrate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "functions"))

from benchmarks import _search_previous
from db import message_search, people_search
from search import index, text

MESSAGES = int(os.environ.get("SEARCH_BENCH_MESSAGES", "1000000"))
ROOMS = 10_000
PEOPLE = int(os.environ.get("SEARCH_BENCH_PEOPLE", "100000"))
SEARCHER_ROOMS = 50
RUNS = 200
VOCABULARY = 20_000
WORDS_PER_MESSAGE = 12

_SYLLABLES = "ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra re"
# People's names: 2,000 first names and 5,000 family names made of the same syllables.
FIRST_NAMES = 2_000
LAST_NAMES = 5_000


def _words(text: str) -> list[str]:
    return text.split(" ")


_MATCHES = "SELECT count(*) AS n FROM message_search WHERE document @@ to_tsquery('simple', %s)"


def _vocabulary(rng: random.Random, size: int = VOCABULARY) -> list[str]:
    """Distinct made-up words; the message generator picks early ones far more often."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_words(_SYLLABLES)) for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda w: (len(w), w))


def _generate(conn: psycopg.Connection, vocabulary: list[str]) -> dict[str, float]:
    took: dict[str, float] = {}
    rng = random.Random(42)
    first, last = _vocabulary(rng, FIRST_NAMES), _vocabulary(rng, LAST_NAMES)
    rng.shuffle(first)
    rng.shuffle(last)
    start = time.perf_counter()
    conn.execute(
        """INSERT INTO users (id, email, username, display_name, password_hash)
           SELECT gen_random_uuid(), 'p' || n || '@example.com',
                  'p' || n,
                  initcap((%(first)s::text[])[1 + n %% cardinality(%(first)s::text[])]) || ' '
                    || initcap((%(last)s::text[])[1 + (n * 7919) %% cardinality(%(last)s::text[])]),
                  'x'
           FROM generate_series(1, %(people)s) AS n""",
        {"first": first, "last": last, "people": PEOPLE},
    )
    took["people"] = time.perf_counter() - start
    start = time.perf_counter()
    conn.execute(
        """INSERT INTO rooms (id, kind, name, created_by)
           SELECT gen_random_uuid(), 'group', 'Room ' || n, (SELECT id FROM users LIMIT 1)
           FROM generate_series(1, %s) AS n""",
        (ROOMS,),
    )
    conn.execute(
        """CREATE TABLE bench_room_numbers AS
           SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM rooms"""
    )
    # Six members per room, so the membership table is not only the searcher's.
    conn.execute(
        """CREATE TEMP TABLE user_numbers AS
           SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users"""
    )
    conn.execute("CREATE INDEX ON user_numbers (n)")
    conn.execute(
        """INSERT INTO memberships (room_id, user_id, role, notify)
           SELECT r.id, u.id, 'member', 'all'
           FROM bench_room_numbers r, generate_series(0, 5) AS k, user_numbers u
           WHERE u.n = (r.n * 6 + k) %% %s
           ON CONFLICT DO NOTHING""",
        (PEOPLE,),
    )
    # Bulk loads go faster without the indexes; they are rebuilt below from their definitions.
    definitions = [
        row["indexdef"]
        for row in conn.execute(
            """SELECT indexname, indexdef FROM pg_indexes
               WHERE tablename = 'message_search' AND indexname <> 'message_search_pkey'"""
        ).fetchall()
    ]
    for definition in definitions:
        conn.execute("DROP INDEX " + definition.split()[2])
    # Message i is in room i % ROOMS; word k of the vocabulary is picked with a skew
    # (random()^3), so the first words are common and the last ones rare.
    conn.execute(
        """INSERT INTO message_search
             (room_id, message_id, sender_id, created_at, version, admitted, body, document)
           SELECT r.id, 'm' || m.n, r.sender, m.at, m.at, true, m.body,
                  to_tsvector('simple', m.body)
           FROM (
             SELECT n, now() - random() * interval '365 days' AS at,
                    (SELECT string_agg(
                              (%(words)s::text[])[1 + floor(power(random(), 3) * %(size)s)::int],
                              ' ')
                     FROM generate_series(1, %(per)s) WHERE n > 0) AS body
             FROM generate_series(1, %(messages)s) AS n
           ) m
           JOIN (SELECT r.id, r.n,
                        (SELECT user_id FROM memberships WHERE room_id = r.id LIMIT 1) AS sender
                 FROM bench_room_numbers r) r ON r.n = m.n %% %(rooms)s""",
        {
            "words": vocabulary,
            "size": len(vocabulary),
            "per": WORDS_PER_MESSAGE,
            "messages": MESSAGES,
            "rooms": ROOMS,
        },
    )
    took["messages"] = time.perf_counter() - start
    start = time.perf_counter()
    for definition in definitions:
        conn.execute(definition)
    conn.execute("ANALYZE")
    took["index"] = time.perf_counter() - start
    return took


def _searcher(conn: psycopg.Connection) -> str:
    """A person member of 50 rooms spread over the room ids (made once per database)."""
    found = conn.execute("SELECT id::text AS id FROM users WHERE username = 'searcher'").fetchone()
    if found:
        return found["id"]
    uid = conn.execute(
        """INSERT INTO users (email, username, display_name, password_hash)
           VALUES ('searcher@example.com', 'searcher', 'The Searcher', 'x')
           RETURNING id::text AS id"""
    ).fetchone()["id"]
    conn.execute(
        """INSERT INTO memberships (room_id, user_id, role, notify)
           SELECT id, %s, 'member', 'all' FROM bench_room_numbers
           WHERE n %% (%s / %s) = 0 LIMIT %s""",
        (uid, ROOMS, SEARCHER_ROOMS, SEARCHER_ROOMS),
    )
    conn.execute("ANALYZE memberships")
    return uid


def _frequency(conn: psycopg.Connection, word: str) -> int:
    return conn.execute(_MATCHES, (text.parse(word + " ").tsquery,)).fetchone()["n"]


def _message_queries(conn: psycopg.Connection, vocabulary: list[str]) -> list[tuple[str, str]]:
    common = vocabulary[0]
    second = vocabulary[1]
    rare = next(w for w in reversed(vocabulary) if _frequency(conn, w) > 0)
    # A phrase that occurs: two words that follow each other in some message.
    body = conn.execute("SELECT body FROM message_search LIMIT 1").fetchone()["body"].split()
    long_word = max(vocabulary[:50], key=len)
    return [
        (f"common word ({common})", common + " "),
        (f"two common words ({common} {second})", f"{common} {second} "),
        (f"rare word ({rare})", rare + " "),
        (f'phrase ("{body[0]} {body[1]}")', f'"{body[0]} {body[1]}"'),
        (f"prefix ({long_word[:3]}…)", long_word[:3]),
        ("no match (zzzq)", "zzzq "),
    ]


def _index_cost(conn: psycopg.Connection, room_id: str, sender: str) -> dict[str, object]:
    """Milliseconds to index one message (one transaction each, as the trigger does) with
    GIN's pending list (fastupdate) on and off, alternating in blocks; and bytes per message
    of the table with its indexes."""
    rng = random.Random(7)
    words = conn.execute("SELECT body FROM message_search LIMIT 500").fetchall()
    now = datetime.now(UTC)

    def write(n: int) -> None:
        message = {
            "senderId": sender,
            "text": words[n % len(words)]["body"] + f" extra{rng.randint(0, 10**6)}",
            "createdAt": now,
        }
        found = index.entry(room_id, f"bench{n}", message)
        with conn.transaction():
            message_search.admit(conn, found)

    counter = iter(range(10**9))
    samples: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(5):
        for mode in ("on", "off"):
            conn.execute(f"ALTER INDEX message_search_room_document_idx SET (fastupdate = {mode})")
            samples[mode] += timed(lambda: write(next(counter)), 200)
    # As migrated: off, nothing left pending.
    conn.execute("SELECT gin_clean_pending_list('message_search_room_document_idx')")
    size = conn.execute(
        """SELECT pg_total_relation_size('message_search') AS total,
                  pg_relation_size('message_search_room_document_idx') AS gin,
                  count(*) AS n FROM message_search"""
    ).fetchone()
    conn.execute("DELETE FROM message_search WHERE message_id LIKE 'bench%'")
    return {
        "on": summary(samples["on"]),
        "off": summary(samples["off"]),
        "bytes": size["total"] / size["n"],
        "gin bytes": size["gin"] / size["n"],
    }


def _side_by_side(
    previous: Callable[[], list], current: Callable[[], list]
) -> tuple[list[float], list[float], list, list]:
    """Both designs' samples, the calls alternating so both see the same machine load, and
    the rows each returned."""
    found: dict[str, list] = {}

    def run(name: str, fn: Callable[[], list]) -> None:
        found[name] = fn()

    before, after = [], []
    for _ in range(RUNS):
        before += timed(lambda: run("previous", previous), 1)
        after += timed(lambda: run("current", current), 1)
    return before, after, found["previous"], found["current"]


def _bench_messages(conn: psycopg.Connection, searcher: str, vocabulary: list[str]) -> None:
    rows = []
    filters = message_search.Filters()
    for label, query in _message_queries(conn, vocabulary):
        tsquery = text.parse(query).tsquery
        matches = conn.execute(_MATCHES, (tsquery,)).fetchone()["n"]
        before, after, old, new = _side_by_side(
            lambda tsquery=tsquery: _search_previous.search_messages(
                conn, searcher, tsquery, filters, after=None, limit=21
            ),
            lambda tsquery=tsquery: message_search.search(
                conn, searcher, tsquery, filters, after=None, limit=21
            ),
        )
        same = [(r["room_id"], r["message_id"], r["headline"]) for r in old] == [
            (r["room_id"], r["message_id"], r["headline"]) for r in new
        ]
        rows.append([label, matches, len(new), *summary(before), *summary(after), same])
    print(
        f"\nsearchMessages, a person in {SEARCHER_ROOMS} rooms, first page ({RUNS} runs each, "
        "previous and current design alternating):"
    )
    table(
        [
            "query",
            "matches (all rooms)",
            "page rows",
            "before p50",
            "before p99",
            "after p50",
            "after p99",
            "same page",
        ],
        rows,
    )

    room_id = conn.execute("SELECT id::text AS id FROM bench_room_numbers LIMIT 1").fetchone()["id"]
    cost = _index_cost(conn, room_id, searcher)
    print(
        "\nindexing one message (the trigger's write, its own transaction), p50 / p99 ms: "
        "GIN pending list on {:.2f} / {:.2f}, off (as migrated) {:.2f} / {:.2f}; {:.0f} bytes "
        "per message with indexes, of which the GIN index {:.0f}".format(
            *cost["on"], *cost["off"], cost["bytes"], cost["gin bytes"]
        )
    )


def _bench_people(conn: psycopg.Connection, searcher: str) -> None:
    # The previous design's whole-name trigram index (migration 0019 dropped it).
    conn.execute(
        """CREATE INDEX IF NOT EXISTS users_display_name_trgm_idx
           ON users USING gin (lower(display_name) gin_trgm_ops)"""
    )
    rows = []
    person = conn.execute(
        "SELECT lower(display_name) AS name FROM users WHERE username = 'p4242'"
    ).fetchone()["name"]
    given, family = person.split(" ")
    for label, query in [
        ("2 letters", given[:2]),
        ("first name", given),
        ("full name", person),
        ("family name prefix", family[:4]),
        ("username prefix", "p424"),
        ("typo", given[:-1] + ("x" if given[-1] != "x" else "y")),
        ("typo in the family name", f"{given} {family[:-1]}x"),
        ("no match", "qqxz"),
    ]:
        words, terms = text.parse(query).tsquery, text.words(query)
        before, after, old, new = _side_by_side(
            lambda query=query, words=words: _search_previous.search_people(
                conn, searcher, query, words, 10
            ),
            lambda query=query, words=words, terms=terms: people_search.search(
                conn, searcher, query, words, terms, 10
            ),
        )
        rows.append([f"{label} ({query})", len(old), len(new), *summary(before), *summary(after)])
    conn.execute("DROP INDEX users_display_name_trgm_idx")
    print(
        f"\nsearchPeople over {PEOPLE:,} people, 10 results ({RUNS} runs each, previous and "
        "current design alternating):"
    )
    table(
        [
            "query",
            "found before",
            "found after",
            "before p50",
            "before p99",
            "after p50",
            "after p99",
        ],
        rows,
    )


@contextmanager
def _database() -> Iterator[tuple[str, bool]]:
    """The database to measure, and whether it already holds the generated data."""
    if not os.environ.get("SEARCH_BENCH_KEEP"):
        with tempfile.TemporaryDirectory() as state, fresh_database(Path(state)) as url:
            yield url, False
        return
    name = f"flowchat_bench_search_{MESSAGES}_{PEOPLE}"
    create_database(SERVER_URL, name)
    url = psycopg.conninfo.make_conninfo(SERVER_URL, dbname=name)
    migrate(url)
    with psycopg.connect(url) as conn:
        generated = conn.execute("SELECT to_regclass('bench_generated') IS NOT NULL").fetchone()[0]
    yield url, generated


def main() -> None:
    vocabulary = _vocabulary(random.Random(16))
    with (
        _database() as (url, generated),
        psycopg.connect(url, autocommit=True, row_factory=dict_row, prepare_threshold=None) as conn,
    ):
        if generated:
            print(f"reusing the generated database ({MESSAGES:,} messages, {PEOPLE:,} people)")
        else:
            print(
                f"generating {MESSAGES:,} messages in {ROOMS:,} rooms, {PEOPLE:,} people…",
                flush=True,
            )
            took = _generate(conn, vocabulary)
            conn.execute("CREATE TABLE bench_generated ()")
            print(
                f"generated in {took['people'] + took['messages']:.0f} s "
                f"(people {took['people']:.0f} s), indexes rebuilt in {took['index']:.0f} s"
            )
        searcher = _searcher(conn)
        _bench_messages(conn, searcher, vocabulary)
        _bench_people(conn, searcher)
