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
    """``error()`` prints one line naming the command's ``--help``; subcommands inherit it.

    ``argv`` is the command line being parsed (``main(argv)`` sets it; None: ``sys.argv``)."""

    argv: list[str] | None = None

    def _close_option(self, argv: list[str], got: str) -> str | None:
        """The subcommand's option closest to ``got`` (an unknown option), if any is close."""
        import difflib

        options: list[str] = []
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                sub = next((action.choices[a] for a in argv if a in action.choices), None)
                if sub is not None:
                    options = [o for act in sub._actions for o in act.option_strings
                               if o.startswith("--")]
        bare = {o[2:]: o for o in options}  # compare without the shared '--'
        close = difflib.get_close_matches(got.split("=")[0].lstrip("-"), list(bare), n=1,
                                          cutoff=0.6)
        return bare[close[0]] if close else None

    def error(self, message: str) -> NoReturn:
        msg = message
        m = re.match(r"the following arguments are required: (.*)", message)
        if m:
            msg = f"missing {m.group(1)}"
            if "-f/--family" in m.group(1):
                msg += " (e.g. -f weibull; 'mlekit families' lists them)"
        argv = self.argv if self.argv is not None else sys.argv[1:]
        m = re.match(r"unrecognized arguments: (.*)", message)
        if m and self.prog == "mlekit":
            cmd = next((a for a in argv if a in ("fit", "compare")), None)
            first = m.group(1).split()[0]
            msg = f"unexpected argument{'s' if ' ' in m.group(1) else ''}: {m.group(1)}"
            if first.startswith("-") and len(first) > 1:
                msg += f". {first} is not an option of this command"
                close = self._close_option(argv, first)
                if close:
                    msg += f" (the closest is {close})"
            elif cmd:
                msg += (f". Hint: the file is the only positional argument; name the column with "
                        f"-c (e.g. mlekit {cmd} data.csv -c {first})")
        cmd = next((a for a in argv if not a.startswith("-")), None)
        help_of = f"mlekit {cmd}" if self.prog == "mlekit" and cmd in _COMMANDS else self.prog
        sys.stderr.write(f"mlekit: error: {msg}. See '{help_of} --help'.\n")
        raise SystemExit(2)
