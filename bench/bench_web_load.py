"""Load test of the explorer's fit API, on loopback only.

200 ``POST /api/fit`` requests (n = 10,000 values each, a fresh sample per request), 8 in
flight at a time, against ``mlekit.web.serve()`` on 127.0.0.1 (in its own process). Reports throughput, latency
percentiles and errors (the target is 0), checks every answer against ``mk.fit`` on the same
values, and runs the same work (``mk.fit`` + ``to_dict()``) in-process, one fit after another,
as the reference: the ratio shows what HTTP + JSON + worker processes cost or gain.

    PYTHONPATH=src python bench/bench_web_load.py [--requests 200] [--concurrency 8]
                                                  [--n 10000] [--family weibull]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np

import mlekit as mk


def samples(family: str, n: int, count: int, seed: int = 2026) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    gen = {
        "weibull": lambda: rng.weibull(1.7, n) * 40.0,
        "gamma": lambda: rng.gamma(2.5, 3.0, n),
        "lognormal": lambda: rng.lognormal(1.0, 0.6, n),
        "normal": lambda: rng.normal(5.0, 2.0, n),
    }[family]
    return [np.round(gen(), 6) for _ in range(count)]


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--family", default="weibull", choices=["weibull", "gamma", "lognormal", "normal"])
    args = ap.parse_args()

    data = samples(args.family, args.n, args.requests)
    bodies = [json.dumps({"values": x.tolist(), "family": args.family}).encode() for x in data]

    # the reference: the same work in this process, one fit after another — mk.fit and the
    # result's to_dict(), which the API returns (its summary checks Wald against profile
    # intervals, which costs more than the fit itself at this n)
    t0 = time.perf_counter()
    refs = []
    for x in data:
        r = mk.fit(x, args.family)
        r.to_dict()
        refs.append(r)
    t_direct = time.perf_counter() - t0

    # the server in its own process, as `mlekit explore` runs it (the client threads here
    # would otherwise share a GIL with the server's event loop)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
           "PYTHONUNBUFFERED": "1"}
    code = "import mlekit.web as w; w.serve(host='127.0.0.1', port=0, open_browser=False)"
    srv = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
    line = srv.stdout.readline() if srv.stdout else ""
    url = line.split(" at ", 1)[1].split()[0] if " at " in line else ""
    if not url.startswith("http://127.0.0.1:"):  # loopback only
        srv.kill()
        print("the explorer did not start:", line, srv.stderr.read() if srv.stderr else "")
        return 1
    lat: list[float] = []
    errors: list[str] = []
    mismatches = 0
    try:
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        with httpx.Client(base_url=url, timeout=120, limits=limits,
                          headers={"content-type": "application/json"}) as client:
            # warm-up: start the worker processes
            for _ in range(args.concurrency):
                client.post("/api/fit", content=bodies[0]).raise_for_status()

            def one(i: int) -> tuple[int, float, httpx.Response | None, str | None]:
                t = time.perf_counter()
                try:
                    r = client.post("/api/fit", content=bodies[i])
                except httpx.HTTPError as exc:
                    return i, time.perf_counter() - t, None, f"{type(exc).__name__}: {exc}"
                return i, time.perf_counter() - t, r, None

            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                results = list(pool.map(one, range(args.requests)))
            wall = time.perf_counter() - t0
            for i, dt, r, err in results:
                lat.append(dt)
                if err is not None or r is None or r.status_code != 200:
                    errors.append(err or f"HTTP {r.status_code if r else '?'}: {r.text[:200] if r else ''}")
                    continue
                got = r.json()["fit"]["params"]
                want = refs[i].params
                if any(abs(got[k] - want[k]) > 1e-10 * max(1.0, abs(want[k])) for k in want):
                    mismatches += 1
    finally:
        srv.send_signal(signal.SIGINT)
        try:
            srv.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            srv.kill()

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"mlekit explorer load test · {args.requests} x POST /api/fit ({args.family}, n = {args.n:,}) "
          f"· {args.concurrency} concurrent · loopback")
    workers = min(4, os.cpu_count() or 1)
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} (shared); "
          f"server: `mlekit.web.serve` in its own process, {workers} fit worker processes; "
          f"Python {sys.version.split()[0]}")
    print(f"  errors            {len(errors)}   (answers differing from mk.fit: {mismatches})")
    print(f"  wall              {wall:8.2f} s")
    print(f"  throughput        {args.requests / wall:8.1f} fits/s")
    print(f"  latency p50       {pct(lat, 50) * 1e3:8.1f} ms")
    print(f"  latency p90       {pct(lat, 90) * 1e3:8.1f} ms")
    print(f"  latency p99       {pct(lat, 99) * 1e3:8.1f} ms")
    print(f"  latency max       {max(lat) * 1e3:8.1f} ms")
    print(f"  latency mean      {statistics.fmean(lat) * 1e3:8.1f} ms")
    print(f"reference: the same {args.requests} fits + to_dict() in-process, sequential: {t_direct:.2f} s "
          f"({args.requests / t_direct:.1f} fits/s, {t_direct / args.requests * 1e3:.1f} ms each)")
    print(f"ratio: server throughput / in-process throughput = {t_direct / wall:.2f}x")
    for e in errors[:5]:
        print("  error:", e)
    return 1 if errors or mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
