"""Group commit: one writer thread per server process stores the submissions that arrive together.

A server worker runs many request threads. Each used to open its own write transaction, so they
queued for the database lock one by one, each paying a commit, and every few hundred commits one of
them also ran a WAL checkpoint (an ``fdatasync``) while the rest waited (DESIGN.md section 8). Here a
request hands its prepared submission (redacted, hashed: :class:`PreparedResponse`) to the process's
:class:`GroupCommitWriter` and waits. The writer thread takes every submission waiting, writes them
in one transaction (each under its own savepoint, so a refusal or a bad row undoes that one alone),
commits, and only then wakes their requests: nothing is acknowledged before it is on disk in the
WAL. Checkpoints run in a thread of their own, outside every request's path.

Nothing about the order or the time of arrival is stored: a batch is the same rows with random keys
as the submissions written one by one would be (rule 7's release in batches of k is unchanged).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import Counter, deque
from dataclasses import dataclass, field

from survey.db import open_database
from survey.errors import RapportError, SubmissionNotSaved
from survey.store.responses.submission import NOT_SAVED_MESSAGE, PreparedResponse, write_prepared

#: How long a request waits for its batch before it is told, with its answers kept, to send again.
#: Longer than the connection's busy timeout (10 s, ``survey.db``), so a batch that had to wait for
#: another process's write still ends, stored or refused, before its requests give up on it.
WAIT_SECONDS = 15.0
#: Submissions written in one transaction at most (a worker's threads; more wait for the next one).
MAX_BATCH = 64
#: Submissions between two WAL checkpoints (about 7 pages each: close to SQLite's default of 1,000
#: pages). The writer's own connection never checkpoints on commit.
CHECKPOINT_EVERY = 128
#: A writer with nothing to do for this long closes its connections and ends its threads.
IDLE_SECONDS = 30.0
UNCONFIRMED_MESSAGE = ("Your answers could not be confirmed as saved in time. They are still below: "
                       "please press Submit again. If they were saved, you will be told so, and they "
                       "are stored once.")


@dataclass(eq=False)
class _Pending:
    """A submission waiting for its batch; ``outcome`` is set before ``done``."""

    prepared: PreparedResponse
    done: threading.Event = field(default_factory=threading.Event)
    taken: bool = False
    outcome: RapportError | None = None


class GroupCommitWriter:
    """The one thread of this process that writes submissions to the database at ``path``."""

    def __init__(self, path: str, *, wait_seconds: float = WAIT_SECONDS, max_batch: int = MAX_BATCH,
                 checkpoint_every: int = CHECKPOINT_EVERY, idle_seconds: float = IDLE_SECONDS) -> None:
        self.path = path
        self.wait_seconds, self.max_batch = wait_seconds, max_batch
        self.checkpoint_every, self.idle_seconds = checkpoint_every, idle_seconds
        #: How many transactions wrote how many submissions (for tests and benchmarks).
        self.batch_sizes: Counter[int] = Counter()
        self._work = threading.Condition()
        self._queue: deque[_Pending] = deque()
        self._running = False
        self._checkpoints = _Checkpointer(path)

    def write(self, prepared: PreparedResponse) -> None:
        """Store ``prepared``; return once its transaction committed, or raise why it was not stored.

        Raises the submission's own refusal (``Throttled``, ``DuplicateSubmission``...), or
        ``SubmissionNotSaved`` when the batch could not be committed or did not finish within
        ``wait_seconds`` (still queued: nothing stored; already being written: unconfirmed, and
        sending again is safe because its form token is then burnt).
        """
        pending = _Pending(prepared)
        with self._work:
            self._queue.append(pending)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="rapport-group-commit", daemon=True).start()
            self._work.notify()
        if not pending.done.wait(self.wait_seconds):
            with self._work:
                if not pending.taken:
                    self._queue.remove(pending)
                    raise SubmissionNotSaved(NOT_SAVED_MESSAGE)
            if not pending.done.wait(self.wait_seconds):
                raise SubmissionNotSaved(UNCONFIRMED_MESSAGE)
        if pending.outcome is not None:
            raise pending.outcome

    def _next_batch(self) -> list[_Pending] | None:
        """Every waiting submission (up to ``max_batch``), or ``None`` after ``idle_seconds`` of none."""
        with self._work:
            if not self._work.wait_for(lambda: self._queue, timeout=self.idle_seconds):
                self._running = False
                return None
            batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
            for pending in batch:
                pending.taken = True
            return batch

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        written = 0
        try:
            while (batch := self._next_batch()) is not None:
                try:
                    if conn is None:
                        conn = _writer_connection(self.path)
                    _commit(conn, batch)
                except Exception:  # noqa: BLE001 (_commit refused the batch; the writer carries on)
                    if conn is not None:  # a fresh connection for the next batch
                        conn.close()
                        conn = None
                finally:
                    for pending in batch:
                        pending.done.set()
                self.batch_sizes[len(batch)] += 1
                written += len(batch)
                if written >= self.checkpoint_every:
                    written = 0
                    self._checkpoints.request()
        finally:
            with self._work:
                self._running = False
            if conn is not None:
                conn.close()
            self._checkpoints.stop()


def _writer_connection(path: str) -> sqlite3.Connection:
    conn = open_database(path).conn
    # Checkpoints are the _Checkpointer's job, so a commit never waits for one.
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    return conn


def _commit(conn: sqlite3.Connection, batch: list[_Pending]) -> None:
    """Write ``batch`` in one transaction and set each submission's outcome. If the transaction
    cannot begin or commit, every submission of the batch is refused (nothing stored) and the
    ``sqlite3.Error`` is raised again for the writer to reconnect."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        for pending in batch:
            pending.outcome = write_prepared(conn, pending.prepared)
        conn.execute("COMMIT")
    except BaseException as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        for pending in batch:
            pending.outcome = SubmissionNotSaved(NOT_SAVED_MESSAGE)
            pending.outcome.__cause__ = error
        raise


class _Checkpointer:
    """A thread that runs a passive WAL checkpoint when asked: it copies committed pages into the
    database file (and syncs it) without blocking writers or readers, so no request waits for it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._wanted = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.checkpoints = 0

    def request(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="rapport-checkpoint", daemon=True)
            self._thread.start()
        self._wanted.set()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()

    def _run(self) -> None:
        db = open_database(self.path)
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._stopping:
                    return
                try:
                    db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error:
                    pass  # another connection is checkpointing; the next request tries again
        finally:
            db.close()


_writers: dict[str, GroupCommitWriter] = {}
_writers_lock = threading.Lock()


def writer_for(path: str) -> GroupCommitWriter:
    """This process's writer for the database at ``path`` (created on first use)."""
    with _writers_lock:
        writer = _writers.get(path)
        if writer is None:
            writer = _writers[path] = GroupCommitWriter(path)
        return writer


def _forget_writers_after_fork() -> None:
    """A forked worker has none of its parent's threads: it starts writers of its own."""
    global _writers_lock
    _writers.clear()
    _writers_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_writers_after_fork)
