"""The explorer's Extremes page: the work behind one ``POST /api/extremes/fit`` (GEV fit,
parameter profile intervals, return levels with profile intervals), in CPU seconds, for the
example (Port Pirie, n = 65) and simulated records up to the endpoint's cap.

    PYTHONPATH=src python bench/bench_web_extremes.py            # ~1-2 min on a loaded machine
    PYTHONPATH=src python bench/bench_web_extremes.py --quick

CPU time (``time.process_time``), best of ``--repeat`` runs: the machine is shared, and wall
time there mostly measures the other sessions.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import mlekit as mk
from mlekit.web._extremes import MAX_N, MAX_PERIODS, SLIDER_PERIODS, extremes_payload


def cpu(payload: dict, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.process_time()
        out = extremes_payload(payload)
        best = min(best, time.process_time() - t)
        assert "error" not in out, out
    return float(best)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(14)
    records = {"portpirie (65)": mk.datasets.portpirie()["sea_level"].to_numpy(dtype=float)}
    for n in ((1000,) if args.quick else (1000, MAX_N)):
        records[f"simulated GEV shape 0.1 ({n:,})"] = mk.GEV(loc=30.0, scale=5.0, shape=0.1).sample(n, rng=rng)
    slider = [float(t) for t in SLIDER_PERIODS]
    many = [float(t) for t in np.geomspace(1.5, 1e4, MAX_PERIODS)]
    extremes_payload({"values": records["portpirie (65)"].tolist(), "periods": slider,
                      "level": 0.95, "curve": True})   # warm-up (imports)
    print(f"| record | page load: fit + {len(slider)} slider periods + curve | one typed T | "
          f"{MAX_PERIODS} periods + curve |")
    print("|---|---|---|---|")
    for name, x in records.items():
        vals = x.tolist()
        full = cpu({"values": vals, "periods": slider, "level": 0.95, "curve": True}, args.repeat)
        one = cpu({"values": vals, "periods": [37.5], "level": 0.95, "curve": False}, args.repeat)
        cap = cpu({"values": vals, "periods": many, "level": 0.95, "curve": True}, 1)
        print(f"| {name} | {full:.2f} s | {one:.3f} s | {cap:.2f} s |")


if __name__ == "__main__":
    main()
