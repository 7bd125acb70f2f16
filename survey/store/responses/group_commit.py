"""Group commit: the submissions that arrive together in a server process share one transaction.

A server worker runs many request threads. Each used to open its own write transaction, so they
queued for the database lock one by one, each paying a commit, and every few hundred commits one of
them also ran a WAL checkpoint (an ``fdatasync``) while the rest waited (DESIGN.md section 8).

Here a request queues its prepared submission (redacted and hashed: :class:`PreparedResponse`) in
the process's :class:`GroupCommit`. The first in the queue *leads*: on its own connection it takes
every submission waiting, writes them in one transaction (each under its own savepoint, so a
refusal or a bad row undoes that one alone), commits, wakes their requests, and hands the lead to
the first that arrived meanwhile. No request is acknowledged before its transaction committed, and
no thread is added to a request's path (a dedicated writer thread would cost two GIL hand-offs per
submission). WAL checkpoints run in a thread of their own, outside every request's path.

Nothing about the order or time of arrival is stored: a batch writes the same rows, with random
keys, as the submissions written one by one would (rule 7's release in batches of k is unchanged).
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
#: Submissions written in one transaction at most (the rest wait for the next one).
MAX_BATCH = 64
#: Submissions between two WAL checkpoints (about 12.5 WAL pages each, ``bench/submit_pages.py``: a
#: checkpoint per ~1,600 pages, near SQLite's default of 1,000). Partner connections checkpoint on
#: commit only as a safety net (``survey.db.PARTNER_AUTOCHECKPOINT``).
CHECKPOINT_EVERY = 128
#: A checkpoint thread with nothing to do for this long closes its connection and ends.
IDLE_SECONDS = 30.0
UNCONFIRMED_MESSAGE = ("Your answers could not be confirmed as saved in time. They are still below: "
                       "please press Submit again. If they were saved, you will be told so, and they "
                       "are stored once.")


@dataclass(eq=False)
class _Pending:
    """A queued submission. ``wake`` is set when it is done (``outcome`` set) or must lead."""

    prepared: PreparedResponse
    wake: threading.Event = field(default_factory=threading.Event)
    taken: bool = False
    done: bool = False
    lead: bool = False
    outcome: RapportError | None = None


class GroupCommit:
    """Queue and leader of this process's submission writes to one database."""

    def __init__(self, path: str, *, wait_seconds: float = WAIT_SECONDS, max_batch: int = MAX_BATCH,
                 checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.wait_seconds, self.max_batch, self.checkpoint_every = wait_seconds, max_batch, checkpoint_every
        #: How many transactions wrote how many submissions (for tests and benchmarks).
        self.batch_sizes: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._queue: deque[_Pending] = deque()
        self._leading = False
        self._writing = 0
        self._since_checkpoint = 0
        self.checkpoints = Checkpointer(path)

    @property
    def waiting(self) -> int:
        """Submissions queued and not yet taken into a transaction."""
        return len(self._queue)

    @property
    def writing(self) -> int:
        """Submissions in the transaction being written now (0 when none is)."""
        return self._writing

    def write(self, conn: sqlite3.Connection, prepared: PreparedResponse) -> None:
        """Store ``prepared`` (``conn`` is used if this request leads); return once committed.

        Raises the submission's own refusal (``Throttled``, ``DuplicateSubmission``...), or
        ``SubmissionNotSaved`` when its batch could not be committed or did not finish within
        ``wait_seconds`` (still queued: nothing stored; being written: unconfirmed, and sending
        again is safe because the form token is burnt if it was stored).
        """
        pending = _Pending(prepared)
        with self._lock:
            self._queue.append(pending)
            pending.lead = not self._leading
            self._leading = True
        if not pending.lead:
            self._wait(pending)
        if not pending.done:
            self._lead(conn)
        if pending.outcome is not None:
            raise pending.outcome

    def _wait(self, pending: _Pending) -> None:
        """Wait until ``pending`` is done or must lead; give up after ``wait_seconds`` if nobody
        has taken it (nothing stored), or after twice that if its batch is still being written."""
        if pending.wake.wait(self.wait_seconds):
            return
        with self._lock:
            if not (pending.taken or pending.lead):
                self._queue.remove(pending)
                raise SubmissionNotSaved(NOT_SAVED_MESSAGE)
        if not pending.wake.wait(self.wait_seconds):
            raise SubmissionNotSaved(UNCONFIRMED_MESSAGE)

    def _lead(self, conn: sqlite3.Connection) -> None:
        """Write everything queued (the leader's own submission first) in one transaction, wake
        those requests, then hand the lead to the first that arrived meanwhile."""
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
            for pending in batch:
                pending.taken = True
            self._writing = len(batch)
        try:
            _commit(conn, batch)
        except Exception:  # _commit refused each submission of the batch
            pass
        finally:
            with self._lock:
                self._writing = 0
                for pending in batch:
                    pending.done = True
                    pending.wake.set()
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].wake.set()
                else:
                    self._leading = False
                self.batch_sizes[len(batch)] += 1
                self._since_checkpoint += len(batch)
                checkpoint = self._since_checkpoint >= self.checkpoint_every
                if checkpoint:
                    self._since_checkpoint = 0
        if checkpoint:
            self.checkpoints.request()


def _commit(conn: sqlite3.Connection, batch: list[_Pending]) -> None:
    """Write ``batch`` in one transaction and set each submission's outcome. If the transaction
    cannot begin or commit, every submission of the batch is refused (nothing stored) and the
    error is raised again."""
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


class Checkpointer:
    """A thread that runs a passive WAL checkpoint when asked: it copies committed pages into the
    database file (and syncs it) without blocking writers or readers, so no request waits for it.
    It ends after ``IDLE_SECONDS`` without a request and starts again with the next one."""

    def __init__(self, path: str, idle_seconds: float = IDLE_SECONDS) -> None:
        self.path, self.idle_seconds = path, idle_seconds
        self.done = 0
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._running = False

    def request(self) -> None:
        with self._lock:
            self._wanted.set()
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="rapport-checkpoint", daemon=True).start()

    def _next(self) -> bool:
        """Wait for a request; ``False`` (and the thread ends) after ``idle_seconds`` of none."""
        if self._wanted.wait(self.idle_seconds):
            self._wanted.clear()
            return True
        with self._lock:
            self._running = self._wanted.is_set()
            return self._running

    def _run(self) -> None:
        db = open_database(self.path)
        try:
            while self._next():
                try:
                    db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.done += 1
                except sqlite3.Error:
                    pass  # another connection holds the checkpoint lock; the next request retries
        finally:
            db.close()


_group_commits: dict[str, GroupCommit] = {}
_registry_lock = threading.Lock()


def group_commit_for(path: str) -> GroupCommit:
    """This process's group commit for the database at ``path`` (created on first use)."""
    with _registry_lock:
        group = _group_commits.get(path)
        if group is None:
            group = _group_commits[path] = GroupCommit(path)
        return group


def _forget_after_fork() -> None:
    """A forked worker has none of its parent's threads or queued requests: it starts afresh."""
    global _registry_lock
    _group_commits.clear()
    _registry_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
