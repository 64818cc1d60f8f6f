"""Running the explorer: ``serve`` (blocking, for ``mlekit explore``) and ``start``
(a background server, for notebooks, tests and benchmarks)."""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import sys
import threading
import time
import warnings
import webbrowser
from typing import Any

from .._core.checks import find_stack_level, is_loopback

__all__ = ["serve", "start", "Server", "ExposedServerWarning", "is_loopback"]


class ExposedServerWarning(UserWarning):
    """The explorer was bound to an address other machines may reach."""


def _importing_in_worker() -> bool:
    """True while a worker process re-imports the user's script (multiprocessing does that
    when the script lacks an ``if __name__ == "__main__":`` guard)."""
    return bool(getattr(mp.current_process(), "_inheriting", False))


def _bind(host: str, port: int) -> socket.socket:
    if not 0 <= int(port) <= 65535:
        raise ValueError(f"port must be in 0..65535 (0 = any free port); got {port!r}.")
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}. Hint: choose another "
                      "port, or 0 for any free one.") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = host
    if host in ("0.0.0.0", "", "::"):
        shown = "127.0.0.1"
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _warn_host(host: str) -> None:
    if not is_loopback(host):
        msg = (f"the explorer listens on {host}, so other machines on the network may reach it: it "
               "lets anyone who can connect upload data and run fits. Use the default 127.0.0.1 "
               "unless you mean to share it.")
        warnings.warn(msg, ExposedServerWarning, stacklevel=find_stack_level())


def _config(app: Any, log_level: str) -> Any:
    import uvicorn

    return uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on",
                          timeout_graceful_shutdown=5)


def _app_options(host: str, max_upload_mb: float, app_options: dict[str, Any]) -> dict[str, Any]:
    from ._app import LOOPBACK_HOSTS

    opts = {"max_upload_mb": max_upload_mb, **app_options}
    if "allowed_hosts" not in opts:
        opts["allowed_hosts"] = LOOPBACK_HOSTS if is_loopback(host) else None
    return opts


def serve(host: str = "127.0.0.1", port: int = 0, open_browser: bool = True,
          max_upload_mb: float = 200, *, log_level: str = "warning", **app_options: Any) -> None:
    """Serve the explorer until Ctrl+C.

    ``host`` defaults to 127.0.0.1 (this machine only; any other address warns with
    :class:`ExposedServerWarning`). ``port=0`` picks a free port. The address is printed at
    start-up and opened in the browser unless ``open_browser=False``. ``max_upload_mb``
    limits uploads and request bodies. Other options go to :func:`mlekit.web.create_app`.

    Fits run in worker processes, which (like any ``multiprocessing`` program) import the
    calling script again: in a script, call ``serve`` under ``if __name__ == "__main__":``.
    """
    import uvicorn

    from ._app import create_app

    if _importing_in_worker():
        return  # a worker process importing the caller's script: the server already runs
    _warn_host(host)
    sock = _bind(host, port)
    url = _url(sock, host)
    app = create_app(**_app_options(host, max_upload_mb, app_options))
    server = uvicorn.Server(_config(app, log_level))
    print(f"mlekit explorer running at {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        def _open() -> None:
            for _ in range(200):
                if server.started:
                    break
                time.sleep(0.05)
            webbrowser.open(url)

        threading.Thread(target=_open, daemon=True, name="mlekit-open-browser").start()
    done = threading.Event()
    threading.Thread(target=_stop_watchdog, args=(server, done), daemon=True,
                     name="mlekit-stop-watchdog").start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        done.set()
        sock.close()
        print("mlekit explorer stopped.", file=sys.stderr, flush=True)


#: seconds from Ctrl+C to a forced stop when a request's work still holds the shutdown
STOP_WITHIN = 1.0


def _stop_watchdog(server: Any, done: threading.Event) -> None:
    """Ctrl+C stops the explorer within ``STOP_WITHIN`` seconds: uvicorn's graceful shutdown
    waits for requests in flight, and a request's work runs in a thread that cannot be
    interrupted, so when the shutdown has not finished by then the worker processes are
    terminated and the process exits."""
    import multiprocessing

    while not server.should_exit:
        if done.wait(0.05):
            return
    if done.wait(STOP_WITHIN):
        return
    import multiprocessing.util

    for child in multiprocessing.active_children():
        child.terminate()
    # what a normal exit runs first: release the pools' semaphores (no resource_tracker warning)
    multiprocessing.util._exit_function()  # type: ignore[attr-defined]  # private stdlib helper, absent from typeshed
    print("mlekit explorer stopped (requests in flight were abandoned).", file=sys.stderr,
          flush=True)
    sys.stdout.flush()
    os._exit(0)


class Server:
    """A running explorer in a background thread: ``.url``, ``.app``, ``.stop()``; also a
    context manager."""

    def __init__(self, server: Any, thread: threading.Thread, sock: socket.socket, url: str) -> None:
        self._server = server
        self._thread = thread
        self._sock = sock
        self.url = url
        self.app = server.config.app

    def stop(self, timeout: float = 15.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Server(url={self.url!r})"


def start(host: str = "127.0.0.1", port: int = 0, max_upload_mb: float = 200, *,
          log_level: str = "warning", **app_options: Any) -> Server:
    """Start the explorer in a background thread and return once it accepts requests."""
    import uvicorn

    from ._app import create_app

    if _importing_in_worker():
        raise RuntimeError(
            "mlekit.web.start() ran while a worker process imported your script. Hint: call it "
            "under `if __name__ == \"__main__\":` (the explorer's fits run in worker processes).")
    _warn_host(host)
    sock = _bind(host, port)
    url = _url(sock, host)
    app = create_app(**_app_options(host, max_upload_mb, app_options))
    server = uvicorn.Server(_config(app, log_level))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="mlekit-explorer")
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if not thread.is_alive() or time.time() > deadline:
            sock.close()
            raise RuntimeError("the explorer did not start; see the log above.")
        time.sleep(0.01)
    return Server(server, thread, sock, url)
