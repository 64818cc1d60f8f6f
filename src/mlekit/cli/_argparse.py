"""An ``argparse`` parser that keeps the command line's promise for usage errors: exit code 2
and one line (``mlekit: error: ...`` with a pointer to ``--help``), not a usage dump."""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

__all__ = ["Parser"]

_COMMANDS = ("fit", "compare", "families", "datasets", "demo", "explore", "report", "regress")


class Parser(argparse.ArgumentParser):
    """``error()`` prints one line naming the command's ``--help``; subcommands inherit it."""

    def error(self, message: str) -> NoReturn:
        msg = message
        m = re.match(r"the following arguments are required: (.*)", message)
        if m:
            msg = f"missing {m.group(1)}"
            if "-f/--family" in m.group(1):
                msg += " (e.g. -f weibull; 'mlekit families' lists them)"
        m = re.match(r"unrecognized arguments: (.*)", message)
        if m and self.prog == "mlekit":
            cmd = next((a for a in sys.argv[1:] if a in ("fit", "compare")), None)
            msg = f"unexpected argument{'s' if ' ' in m.group(1) else ''}: {m.group(1)}"
            if cmd:
                msg += (f". Hint: the file is the only positional argument; name the column with "
                        f"-c (e.g. mlekit {cmd} data.csv -c {m.group(1).split()[0]})")
        cmd = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
        help_of = f"mlekit {cmd}" if self.prog == "mlekit" and cmd in _COMMANDS else self.prog
        sys.stderr.write(f"mlekit: error: {msg}. See '{help_of} --help'.\n")
        raise SystemExit(2)
