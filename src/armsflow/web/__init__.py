"""``armsflow serve``: the workbench in a browser (docs/web.md). It parses requests, calls the library
(``armsflow.run``, ``armsflow.load_study``, ``armsflow.study.edit``, ``armsflow.engine.whatif``) and presents;
it computes nothing of its own. FastAPI and uvicorn come with the ``web`` extra and load only here."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from armsflow.errors import MissingExtraError, ParameterError


def serve(folders: Sequence[Path], *, host: str = "127.0.0.1", port: int = 8000, allow_remote: bool = False,
          say: Callable[[str], object] = print) -> None:
    """Serve the workbench on ``folders`` (study folders, or folders holding them) and the bundled studies.

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
    token = None if local else secrets.token_urlsafe(24)
    app = create_app(list(folders), token=token, hosts=None if token else (*LOOPBACK, host))
    address = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    say(f"armsflow workbench on {address}" + (f"?token={token}" if token else "") + "  (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
