"""``armsflow serve``: the workbench in a browser (docs/web.md). It parses requests, calls the library
(``armsflow.run``, ``armsflow.load_study``, ``armsflow.study.edit``, ``armsflow.engine.whatif``) and presents;
it computes nothing of its own. FastAPI and uvicorn come with the ``web`` extra and load only here."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from armsflow.errors import MissingExtraError, ParameterError

#: How ``serve`` hands its settings to worker processes (each builds the app from them): JSON with the folders,
#: the token, the host names and the CSRF secret, which all workers must share so that a form served by one is
#: accepted by another. Only processes of the same user can read another's environment.
CONFIG_ENV = "ARMSFLOW_WEB_CONFIG"


def default_workers() -> int:
    """One server process per core, at most four: a what-if holds one core while it computes."""
    return max(1, min(4, os.cpu_count() or 1))


def serve(folders: Sequence[Path], *, host: str = "127.0.0.1", port: int = 8000, allow_remote: bool = False,
          workers: int | None = None, say: Callable[[str], object] = print) -> None:
    """Serve the workbench on ``folders`` (study folders, or folders holding them) and the bundled studies, in
    ``workers`` processes (``default_workers()`` unless given), so that clients' what-ifs compute on every core.

    Only the loopback interface unless ``allow_remote``: then every request must carry a token, printed here."""
    try:
        import uvicorn

        from armsflow.web.app import LOOPBACK, create_app
    except ImportError:
        raise MissingExtraError("web", "The web workbench") from None
    local = host in ("127.0.0.1", "localhost", "::1")
    if not local and not allow_remote:
        raise ParameterError("host", f"{host} is reachable from other machines: pass allow_remote to serve there "
                                     "(every request then needs the printed token)")
    workers = default_workers() if workers is None else workers
    if not 1 <= workers <= 64:
        raise ParameterError("workers", f"between 1 and 64 server processes, got {workers}")
    token = None if local else secrets.token_urlsafe(24)
    hosts = None if token else (*LOOPBACK, host)
    secret = secrets.token_bytes(32)
    app = create_app(list(folders), token=token, hosts=hosts, secret=secret)  # the folders are checked here, once
    address = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    say(f"armsflow workbench on {address}" + (f"?token={token}" if token else "") + "  (Ctrl+C stops it)")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    os.environ[CONFIG_ENV] = json.dumps({"folders": [str(f) for f in folders], "token": token,
                                         "hosts": list(hosts) if hosts else None, "secret": secret.hex()})
    uvicorn.run("armsflow.web:app_from_environment", factory=True, workers=workers, host=host, port=port,
                log_level="warning")


def app_from_environment() -> Any:
    """The app of one worker process of ``serve``, built from the settings ``serve`` left in ``CONFIG_ENV``."""
    from armsflow.web.app import create_app

    config = json.loads(os.environ[CONFIG_ENV])
    hosts = tuple(config["hosts"]) if config["hosts"] is not None else None
    return create_app([Path(f) for f in config["folders"]], token=config["token"], hosts=hosts,
                      secret=bytes.fromhex(config["secret"]))
