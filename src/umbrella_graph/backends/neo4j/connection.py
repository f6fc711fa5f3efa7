"""Connecting to Neo4j: the checked driver, sessions and reads, driver errors as one-line messages."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import neo4j
from neo4j import exceptions as neo4j_errors

from ...errors import BackendError
from .codecs import _META_KEY, STORE_FORMAT
from .cypher import _label

if TYPE_CHECKING:  # pragma: no cover
    from neo4j import Driver, Session


_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
#: URIs of drivers made by :func:`connect`, for messages.
_URIS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

# ---------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------
def _where(driver: Any) -> str:
    uri = _URIS.get(driver) if driver is not None else None
    return f"Neo4j at {uri}" if uri else "the Neo4j server"


class _Guard:
    """Turns driver exceptions into one-line :class:`BackendError` messages."""

    def __init__(self, where: str, database: str | None, action: str, rerun: str = "") -> None:
        self.where = where
        self.database = database
        self.action = action
        self.rerun = rerun
        self.reached = False

    @contextlib.contextmanager
    def __call__(self, action: str | None = None) -> Iterator[_Guard]:
        if action is not None:
            self.action = action
        try:
            yield self
        except BackendError:
            raise
        except neo4j_errors.AuthError:
            raise BackendError(
                f"{self.where} refused the user name or password while {self.action}: check "
                "--user/--password (or NEO4J_USER/NEO4J_PASSWORD)") from None
        except neo4j_errors.ClientError as exc:
            code = exc.code or "unknown"
            if code.endswith("DatabaseNotFound"):
                raise BackendError(
                    f"database {self.database!r} does not exist on {self.where}: check --database "
                    "(Neo4j Community has one user database, 'neo4j'; SHOW DATABASES lists them)"
                ) from None
            if ".Security." in code:
                raise BackendError(f"{self.where} did not allow {self.action} for this user ({code}): "
                                   "check the user's roles") from None
            raise BackendError(f"{self.where} rejected a query while {self.action} ({code})") from None
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired,
                neo4j_errors.IncompleteCommit, OSError) as exc:
            if not self.reached:
                raise BackendError(
                    f"cannot reach {self.where} while {self.action}: check that the server is "
                    "running and that the URI (bolt://host:7687 or neo4j://host:7687), host and "
                    "port are right") from None
            raise BackendError(
                f"lost the connection to {self.where} while {self.action}: check the server, "
                f"then run it again{self.rerun}") from exc.__cause__
        except neo4j_errors.TransientError as exc:
            if (exc.code or "").endswith("DatabaseUnavailable"):
                raise BackendError(
                    f"database {self.database or '(default)'} on {self.where} became unavailable "
                    f"while {self.action} (is the server stopping?): check the server, then run it "
                    f"again{self.rerun}") from None
            raise BackendError(f"{self.where} kept failing with a transient error while {self.action} "
                               f"({exc.code}) after retries: try again when the server is less "
                               f"busy{self.rerun}") from None
        except neo4j_errors.Neo4jError as exc:
            raise BackendError(f"{self.where} failed while {self.action} ({exc.code}): see the "
                               "server's log") from None
        except neo4j_errors.DriverError as exc:
            raise BackendError(f"the Neo4j driver failed while {self.action} "
                               f"({type(exc).__name__}): check the URI and the server") from None


def connect(uri: str, user: str | None = "neo4j", password: str | None = None, *,
            database: str | None = None, **config: Any) -> Driver:
    """Open a driver to ``uri`` and check that it works.

    Checks that the server answers, that the credentials are accepted and, when
    ``database`` is given, that the database exists. Failures raise a one-line
    :class:`~umbrella_graph.errors.BackendError` saying what to check.

    Parameters
    ----------
    uri : str
        ``bolt://host:7687`` (one server) or ``neo4j://host:7687`` (a cluster).
    user, password : str, optional
        Credentials; no authentication when ``password`` is None.
    database : str, optional
        A database to check (default: the server's default database).
    **config
        Passed to :func:`neo4j.GraphDatabase.driver` (e.g. ``max_transaction_retry_time``).

    Returns
    -------
    neo4j.Driver
        Close it with ``driver.close()`` (or use it in a ``with`` block).
    """
    guard = _Guard(f"Neo4j at {uri}", database, "connecting")
    scheme = uri.split("://", 1)[0].lower() if isinstance(uri, str) and "://" in uri else ""
    if scheme not in _SCHEMES:
        raise BackendError(f"cannot use {uri!r} as a Neo4j URI: expected bolt://host:7687 or "
                           "neo4j://host:7687 (+s / +ssc for TLS)")
    try:
        auth = (user or "neo4j", password) if password is not None else None
        config.setdefault("notifications_min_severity", "OFF")
        driver = neo4j.GraphDatabase.driver(uri, auth=auth, **config)
    except (ValueError, neo4j_errors.ConfigurationError) as exc:
        raise BackendError(f"cannot use {uri!r} as a Neo4j URI ({type(exc).__name__}): expected "
                           "bolt://host:7687 or neo4j://host:7687") from None
    _URIS[driver] = uri
    try:
        with guard():
            driver.verify_connectivity()
            guard.reached = True
            with _session(driver, database) as s:
                s.execute_read(lambda tx: tx.run("RETURN 1").consume())
    except BackendError:
        driver.close()
        raise
    return driver


def _session(driver: Driver, database: str | None) -> Session:
    """A session on ``database`` without server notifications (the queries are fixed)."""
    return driver.session(database=database, notifications_min_severity="OFF")



def _read(session: Session, query: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
    return session.execute_read(lambda tx: tx.run(query, params or {}).values())


def _run_write(session: Session, query: str, params: dict[str, Any] | None = None) -> None:
    session.execute_write(lambda tx: tx.run(query, params or {}).consume())


def _read_meta(session: Session) -> dict[str, Any] | None:
    got = _read(session, f"MATCH (m:{_label('CaseMeta')} {{key: $key}}) RETURN properties(m)", {"key": _META_KEY})
    return dict(got[0][0]) if got else None


def _checked_meta(session: Session, guard: _Guard, database: str | None) -> dict[str, Any]:
    """The stored case's metadata, or a :class:`BackendError` saying why it cannot be read
    (no case, another store format, a load that did not finish)."""
    meta = _read_meta(session)
    guard.reached = True
    where = f"database {database or '(default)'} on {guard.where}"
    if meta is None:
        raise BackendError(f"{where} holds no umbrella-graph case: load one with to_neo4j or "
                           "`umbrella-graph load CASE_DIR --neo4j URI`")
    if meta.get("format") != STORE_FORMAT:
        raise BackendError(f"{where} holds a case stored in format {meta.get('format')!r}; this "
                           f"version of umbrella-graph reads format {STORE_FORMAT}: reload the case")
    if meta.get("status") != "complete":
        raise BackendError(f"the load into {where} did not finish: run to_neo4j (or umbrella-graph "
                           "load) again to complete it")
    return meta


def clear_database(driver: Driver, *, database: str | None = None, batch_size: int = 20_000) -> int:
    """Delete every node and relationship in ``database``, in batches.

    Constraints and indexes stay. Returns the number of nodes deleted. Used by
    :func:`to_neo4j` with ``replace=True`` and by the test-suite.
    """
    guard = _Guard(_where(driver), database, "clearing the database")
    deleted = 0
    with guard(), _session(driver, database) as s:
        guard.reached = True
        while True:
            got = s.execute_write(lambda tx: tx.run(
                "MATCH ()-[r]->() WITH r LIMIT $n DELETE r RETURN count(*) AS c", {"n": batch_size}).single())
            if not got or not got["c"]:
                break
        while True:
            got = s.execute_write(lambda tx: tx.run(
                "MATCH (n) WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS c", {"n": batch_size}).single())
            c = int(got["c"]) if got else 0
            deleted += c
            if not c:
                break
    return deleted


#: Start nodes per query when reading relationships (bounds the server's memory).
_CHUNK = 5000


def _chunked(session: Session, query: str, eids: list[str]) -> list[Any]:
    """Run a ``RETURN collect(...)`` query over chunks of element ids ``$ids``; concatenate.

    Reading one list per chunk instead of one record per row is many times faster
    through the Python driver.
    """
    out: list[Any] = []
    for i in range(0, len(eids), _CHUNK):
        got = _read(session, query, {"ids": eids[i:i + _CHUNK]})
        if got and got[0][0]:
            out.extend(got[0][0])
    return out


def _all_eids(session: Session, label: str = "Entity") -> list[str]:
    got = _read(session, f"MATCH (x:{_label(label)}) RETURN collect(elementId(x))")
    return list(got[0][0]) if got else []

