"""``mlekit explore``: serve the web explorer with command-line manners — a bad or busy port is
one line and exit 2, the exposed-host warning is a plain note, Ctrl+C stops cleanly."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

__all__ = ["serve"]


def serve(web: Any, args: argparse.Namespace) -> int:
    from .._core.checks import is_loopback
    from ._common import UserError

    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be a number from 0 to 65535 (0 picks a free one); got "
                        f"{args.port}.")
    if not is_loopback(args.host) and not getattr(args, "quiet", False):
        print(f"mlekit: warning: the explorer listens on {args.host}, so other machines on the "
              "network may reach it and upload data; use the default 127.0.0.1 unless you mean "
              "to share it.", file=sys.stderr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the exposed-host warning: printed plainly above
        try:
            web.serve(args.host, args.port, not args.no_browser)   # prints its address
        except OSError as exc:
            msg = str(exc.strerror or exc).split(". Hint:")[0].rstrip(".")
            raise UserError(f"could not serve on {args.host}:{args.port}: {msg}. Hint: choose "
                            "another --port (0 picks a free one).") from None
        except ValueError as exc:
            raise UserError(str(exc)) from None
    return 0
