"""Regenerate src/mlekit/cli/_families_table.py from the family registry."""
import pprint
from pathlib import Path

from mlekit._families import families

HEAD = '''"""The built-in families as a static table, so that ``mlekit families`` answers without
importing numpy or scipy. Generated from the registry; ``tests/test_cli_output.py`` checks it
is in sync. Regenerate with ``python tools/gen_families_table.py`` after adding a family.
"""

from __future__ import annotations

from typing import Any

FAMILIES: list[dict[str, Any]] = '''

def main() -> None:
    path = Path(__file__).resolve().parents[1] / "src/mlekit/cli/_families_table.py"
    body = pprint.pformat(families(), width=96, sort_dicts=False)
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    print(f"wrote {path}")

if __name__ == "__main__":
    main()
