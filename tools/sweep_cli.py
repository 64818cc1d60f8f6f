"""Adversarial input sweep of the command line (brief SWEEP3).

Every subcommand but ``explore`` (it starts a server) runs in-process through
``mlekit.cli.main`` on bad input: a missing file, a directory, an empty file, a header-only
CSV, a binary file, non-numeric values, NaN/inf, a wrong ``--column``, an unknown family, a
family needing options, bad numeric options, unknown and conflicting options, a Parquet file
that is really CSV, a very wide file, an empty stdin, each also with ``--format json``.
A case fails the product bar when it prints a traceback, exits 1 (a bug) or exits 0.

    python tools/sweep_cli.py            # totals + the failing cases grouped by cause
    python tools/sweep_cli.py --all      # plus every case, one per line

Not a unit test: a bench-style sweep to find inputs that still escape the product bar.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mlekit.cli import main as cli_main  # noqa: E402


def _files(d: Path) -> dict[str, str]:
    """Write the bad inputs; returns name -> path."""
    f: dict[str, str] = {}

    def w(name: str, text: str | bytes) -> None:
        p = d / name
        (p.write_bytes if isinstance(text, bytes) else p.write_text)(text)  # type: ignore[operator]
        f[name.split(".")[0]] = str(p)

    w("empty.csv", "")
    w("header.csv", "x,y\n")
    w("binary.csv", bytes(range(256)) * 8)
    w("text.csv", "x,y\n1,a\nfoo,b\n3,c\n")
    w("nan.csv", "x,y\n1,1\nnan,2\n3,3\n")
    w("inf.csv", "x,y\n1,1\ninf,2\n3,3\n")
    w("neginf.csv", "x,y\n1,1\n-inf,2\n3,3\n")
    w("fake.parquet", "x,y\n1,2\n3,4\n")
    w("wide.csv", ",".join(f"c{i}" for i in range(5000)) + "\n"
      + "\n".join(",".join(str(i + j) for i in range(5000)) for j in range(1, 6)) + "\n")
    w("good.csv", "x,y,g,n\n" + "".join(f"{1 + i % 7 * 0.5},{i % 3},{'ab'[i % 2]},10\n"
                                        for i in range(40)))
    w("ragged.csv", "x,y\n1,2\n3\n4,5,6\n")
    w("bom.jsonl", '{"x": 1}\n{"x": "oops"}\n')
    w("badjson.jsonl", "{not json\n")
    f["missing"] = str(d / "nope.csv")
    f["dir"] = str(d)
    return f


def _cases(f: dict[str, str]) -> list[tuple[str, list[str], str]]:
    """(cause, argv, stdin) for each case; every case is an error."""
    cases: list[tuple[str, list[str], str]] = []
    readers = {"fit": ["-f", "normal"], "compare": [], "report": ["-f", "normal", "--out",
                                                                  "/tmp/sw3/r.html"]}
    bad_files = ["missing", "dir", "empty", "header", "binary", "text", "nan", "inf", "neginf",
                 "fake", "ragged", "bom", "badjson"]
    for cmd, extra in readers.items():
        for name in bad_files:
            col = [] if name in ("missing", "dir", "empty", "binary", "badjson") else ["-c", "x"]
            cases.append((f"file:{name}", [cmd, f[name], *col, *extra], ""))
        cases.append(("file:wide-no-column", [cmd, f["wide"], *extra], ""))
        cases.append(("column:wrong", [cmd, f["good"], "-c", "nope", *extra], ""))
        cases.append(("column:text", [cmd, f["good"], "-c", "g", *extra], ""))
        cases.append(("column:observed-wrong", [cmd, f["good"], "-c", "x", "--observed", "nope",
                                                *extra], ""))
        cases.append(("column:observed-not-01", [cmd, f["good"], "-c", "x", "--observed", "n",
                                                 *extra], ""))
        cases.append(("column:weights-text", [cmd, f["good"], "-c", "x", "--weights", "g",
                                              *extra], ""))
        cases.append(("stdin:empty", [cmd, "-", *extra], ""))
        cases.append(("stdin:text", [cmd, "-", *extra], "a\nb\n"))
        cases.append(("stdin:blank-lines", [cmd, "-", *extra], "\n\n\n"))
        cases.append(("option:unknown", [cmd, f["good"], "-c", "x", "--bogus", *extra], ""))
        cases.append(("option:lower-only", [cmd, f["good"], "--lower", "x", *extra], ""))
        cases.append(("option:lower+column", [cmd, f["good"], "-c", "x", "--lower", "x",
                                              "--upper", "y", *extra], ""))
        cases.append(("option:input-format-wrong", [cmd, f["good"], "-c", "x", "--input-format",
                                                    "parquet", *extra], ""))
        cases.append(("dataset:unknown", [cmd, "mlekit:nope", *extra], ""))
    for cmd in ("fit", "report"):
        base = [cmd, f["good"], "-c", "x"]
        out = ["--out", "/tmp/sw3/r.html"] if cmd == "report" else []
        cases += [
            ("family:unknown", [*base, "-f", "nosuch", *out], ""),
            ("family:empty", [*base, "-f", "", *out], ""),
            ("family:binomial-no-trials", [*base, "-f", "binomial", *out], ""),
            ("family:out-of-support", [*base, "-f", "beta", *out], ""),
            *([("family:missing", [*base], "")] if cmd == "fit" else []),
            ("level:2", [*base, "-f", "normal", "--level", "2", *out], ""),
            ("level:negative", [*base, "-f", "normal", "--level", "-0.5", *out], ""),
            ("level:text", [*base, "-f", "normal", "--level", "high", *out], ""),
            ("level:nan", [*base, "-f", "normal", "--level", "nan", *out], ""),
            ("quantile:2", [*base, "-f", "normal", "--quantile", "2", *out], ""),
            ("quantile:nan", [*base, "-f", "normal", "--quantile", "nan", *out], ""),
            ("quantile:text", [*base, "-f", "normal", "--quantile", "x", *out], ""),
            ("derived:unknown", [*base, "-f", "normal", "--derived", "nosuch", *out], ""),
            ("n-boot:negative", [*base, "-f", "normal", "--ci", "bootstrap", "--n-boot", "-5",
                                 *out], ""),
            ("n-boot:zero", [*base, "-f", "normal", "--ci", "bootstrap", "--n-boot", "0", *out],
             ""),
            ("ci:unknown", [*base, "-f", "normal", "--ci", "magic", *out], ""),
        ]
    fit = ["fit", f["good"], "-c", "x", "-f", "weibull"]
    cases += [
        ("fixed:bad", [*fit, "--fixed", "shape"], ""),
        ("fixed:text", [*fit, "--fixed", "shape=abc"], ""),
        ("fixed:unknown-param", [*fit, "--fixed", "nosuch=1"], ""),
        ("fixed:negative", [*fit, "--fixed", "shape=-1"], ""),
        ("fixed:nan", [*fit, "--fixed", "shape=nan"], ""),
        ("start:unknown-param", [*fit, "--start", "nosuch=1"], ""),
        ("start:negative", [*fit, "--start", "shape=-1"], ""),
        ("start:inf", [*fit, "--start", "shape=inf"], ""),
        ("seed:text", [*fit, "--seed", "abc"], ""),
        ("seed:negative", [*fit, "--ci", "bootstrap", "--n-boot", "20", "--seed", "-1"], ""),
        ("by:wrong", [*fit, "--by", "nope"], ""),
        ("by:with-plot", [*fit, "--by", "g", "--plot", "/tmp/sw3/p.png"], ""),
        ("plot:bad-path", [*fit, "--plot", "/nonexistent/dir/p.png"], ""),
        ("plot:bad-ext", [*fit, "--plot", "/tmp/sw3/p.xyz"], ""),
        ("return-level:below-1", [*fit, "--return-level", "0.5"], ""),
        ("cdf:nan", [*fit, "--cdf", "nan"], ""),
        ("format:unknown", [*fit, "--format", "xml"], ""),
        ("censoring:unknown", [*fit, "--censoring", "middle"], ""),
        ("option:unknown-close", [*fit, "--levle", "0.9"], ""),
        ("option:unknown-positional", [*fit, "extra"], ""),
        ("compare:families-unknown", ["compare", f["good"], "-c", "x", "--families",
                                      "weibull,nosuch"], ""),
        ("compare:families-empty", ["compare", f["good"], "-c", "x", "--families", ","], ""),
        ("compare:families+all", ["compare", f["good"], "-c", "x", "--families", "weibull",
                                  "--all"], ""),
        ("compare:gof+no-gof", ["compare", f["good"], "-c", "x", "--gof", "--no-gof"], ""),
        ("compare:criterion", ["compare", f["good"], "-c", "x", "--criterion", "r2"], ""),
        ("compare:seed-text", ["compare", f["good"], "-c", "x", "--seed", "x"], ""),
        ("compare:plot-bad-path", ["compare", f["good"], "-c", "x", "--families", "weibull",
                                   "--no-gof", "--plot", "/nonexistent/p.png"], ""),
        ("report:out-bad-path", ["report", f["good"], "-c", "x", "-f", "normal", "--out",
                                 "/nonexistent/dir/r.html"], ""),
        ("report:out-dir", ["report", f["good"], "-c", "x", "-f", "normal", "--out",
                            f["dir"]], ""),
        ("families:format", ["families", "--format", "csv"], ""),
        ("families:extra", ["families", "weibull"], ""),
        ("datasets:extra", ["datasets", "foo"], ""),
        ("demo:unknown", ["demo", "nosuch", "--no-plots"], ""),
        ("demo:out-is-file", ["demo", "coin", "--out", f["good"]], ""),
        ("top:unknown-command", ["frobnicate"], ""),
        ("top:unknown-option", ["--bogus"], ""),
    ]
    reg = ["regress", f["good"]]
    cases += [
        ("regress:file-" + n, ["regress", f[n], "x ~ y", "-f", "normal"], "")
        for n in bad_files + ["wide"]
    ]
    cases += [
        ("regress:formula-no-tilde", [*reg, "x + y", "-f", "normal"], ""),
        ("regress:formula-empty", [*reg, "", "-f", "normal"], ""),
        ("regress:formula-unknown-col", [*reg, "x ~ nope", "-f", "normal"], ""),
        ("regress:formula-unknown-response", [*reg, "nope ~ y", "-f", "normal"], ""),
        ("regress:formula-syntax", [*reg, "x ~ (y", "-f", "normal"], ""),
        ("regress:formula-text-response", [*reg, "g ~ y", "-f", "normal"], ""),
        ("regress:family-unknown", [*reg, "x ~ y", "-f", "nosuch"], ""),
        ("regress:family-binomial", [*reg, "y ~ x", "-f", "binomial"], ""),
        ("regress:family-out-of-support", [*reg, "x ~ y", "-f", "beta"], ""),
        ("regress:level-2", [*reg, "x ~ y", "-f", "normal", "--level", "2"], ""),
        ("regress:level-text", [*reg, "x ~ y", "-f", "normal", "--level", "x"], ""),
        ("regress:formula-opt-bad", [*reg, "x ~ y", "-f", "normal", "--formula", "sd"], ""),
        ("regress:formula-opt-unknown-param", [*reg, "x ~ y", "-f", "normal", "--formula",
                                               "nosuch=~ y"], ""),
        ("regress:observed-wrong", [*reg, "x ~ y", "-f", "weibull", "--observed", "nope"], ""),
        ("regress:observed-not-01", [*reg, "x ~ y", "-f", "weibull", "--observed", "n"], ""),
        ("regress:weights-wrong", [*reg, "x ~ y", "-f", "normal", "--weights", "nope"], ""),
        ("regress:weights-text", [*reg, "x ~ y", "-f", "normal", "--weights", "g"], ""),
        ("regress:offset-wrong", [*reg, "x ~ y", "-f", "poisson", "--offset", "nope"], ""),
        ("regress:exposure-text", [*reg, "y ~ x", "-f", "poisson", "--exposure", "g"], ""),
        ("regress:lower-only", [*reg, "x ~ y", "-f", "normal", "--lower", "x"], ""),
        ("regress:dataset-unknown", ["regress", "mlekit:nope", "x ~ y", "-f", "normal"], ""),
        ("regress:stdin-empty", ["regress", "-", "x ~ y", "-f", "normal"], ""),
        ("regress:missing-formula", [*reg, "-f", "normal"], ""),
    ]
    # --format json with each error of the commands that have it
    json_cases = []
    for cause, argv, stdin in cases:
        if argv and argv[0] in ("fit", "compare", "regress") and "--format" not in argv:
            json_cases.append((cause + " [json]", [*argv, "--format", "json"], stdin))
    return cases + json_cases


def run_case(argv: list[str], stdin: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.argv
    sys.stdin, sys.argv = io.StringIO(stdin), ["mlekit", *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = cli_main(argv)
            except SystemExit as exc:  # a leak past main() is itself a failure
                rc = -1 if exc.code in (0, None) else int(exc.code) if isinstance(exc.code, int) else 1
                err.write(f"\nSystemExit escaped main(): {exc.code!r}\n")
            except BaseException as exc:
                import traceback

                err.write("Traceback (escaped main()):\n" + traceback.format_exc())
                rc = 1
                if isinstance(exc, KeyboardInterrupt):
                    raise
    finally:
        sys.stdin, sys.argv = saved
    return rc, out.getvalue(), err.getvalue()


def run_process(argv: list[str], stdin: str) -> tuple[int, str, str]:
    """The real entry point in a subprocess (a real empty pipe or /dev/null on stdin)."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
    p = subprocess.run([sys.executable, "-m", "mlekit", *argv], input=stdin, capture_output=True,
                       text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


# cases that need a real process: stdin that is an empty pipe / closed, the module entry point
PROCESS_CASES = [
    ("process:stdin-empty-pipe", ["fit", "-", "-f", "normal"], ""),
    ("process:stdin-empty-pipe [json]", ["fit", "-", "-f", "normal", "--format", "json"], ""),
    ("process:regress-stdin-empty", ["regress", "-", "y ~ x", "-f", "normal"], ""),
    ("process:unknown-option", ["compare", "-", "--bogus"], "1\n2\n"),
]


def classify(rc: int, out: str, err: str) -> str | None:
    """None if the case meets the bar; otherwise why not."""
    if "Traceback" in err or "Traceback" in out:
        return "traceback"
    if rc == 0:
        return "exit 0"
    if rc != 2:
        return f"exit {rc}"
    msg = err.strip().splitlines()
    if not msg or not msg[-1].startswith("mlekit: error:"):
        return "no 'mlekit: error:' line"
    if len([m for m in msg if m.startswith("mlekit: error")]) != 1:
        return "several error lines"
    if "\x1b" in err:
        return "terminal escape codes in the message"
    if len(msg[-1]) > 1500:
        return f"message of {len(msg[-1])} characters"
    if " -c -" in msg[-1]:
        return "hint names an option as a column"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--all", action="store_true", help="print every case")
    ap.add_argument("-k", default="", help="only causes containing this text")
    opts = ap.parse_args()
    t0 = time.perf_counter()
    Path("/tmp/sw3").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cases = [c for c in _cases(_files(Path(tmp))) if opts.k in c[0]]
        n_in = len(cases)
        cases += [c for c in PROCESS_CASES if opts.k in c[0]]
        bad: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for i, (cause, argv, stdin) in enumerate(cases):
            rc, out, err = (run_case if i < n_in else run_process)(argv, stdin)
            why = classify(rc, out, err)
            last = (err.strip().splitlines() or [out.strip()[:200]])[-1]
            if opts.all:
                print(f"{'OK ' if why is None else 'BAD'} {cause}: rc={rc} {last[:160]}")
            if why is not None:
                bad[why].append((cause, last.replace(tmp, "TMP")[:200]))
    n_bad = sum(len(v) for v in bad.values())
    print(f"{len(cases)} cases, {len(cases) - n_bad} meet the bar, {n_bad} do not "
          f"({time.perf_counter() - t0:.0f} s)")
    for why, items in sorted(bad.items()):
        print(f"\n== {why}: {len(items)}")
        for cause, last in items:
            print(f"  {cause}: {last}")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
