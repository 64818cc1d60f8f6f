"""Worker processes: a pool for quick fits, and one process per long job.

Fits never run on the server's event loop, nor in its process: a quick fit goes to a small
process pool; a comparison job gets a process of its own that reports progress through a
pipe and can be stopped at once (``terminate``) when the user cancels or the time limit
passes. Processes are forked from a ``forkserver`` that has mlekit already imported, so a
job starts in milliseconds and the server's own threads are never forked.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import sys
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ._errors import WebError

__all__ = ["Job", "Workers", "mp_context", "await_fit"]

_PRELOAD = ["mlekit.web._compute", "mlekit.web._extremes"]


def mp_context() -> Any:
    """The multiprocessing context for workers: forkserver where available, else spawn."""
    methods = mp.get_all_start_methods()
    if "forkserver" not in methods:
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    _start_forkserver()
    return ctx


def _start_forkserver() -> None:
    """Start the fork server with this process's ``sys.path``, so that it preloads the same
    mlekit as the one running here (Python 3.11's fork server ignores the ``sys_path`` it is
    given and would import whatever ``python -c`` finds first, e.g. another checkout)."""
    from multiprocessing import forkserver

    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    try:
        forkserver.ensure_running()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


async def await_fit(workers: Workers, fn: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Run ``fn(payload)`` on the fit pool without blocking the event loop; a worker's
    ``{"error": ...}`` becomes a WebError (422, or 500 for a bug)."""
    try:
        fut = workers.submit_fit(fn, payload)
    except BrokenProcessPool as exc:   # a worker died earlier: a fresh pool, then try again
        workers.pool_broken(exc)
        fut = workers.submit_fit(fn, payload)
    try:
        out: dict[str, Any] = await asyncio.wrap_future(fut)
    except Exception as exc:  # the worker died (e.g. out of memory): replace the pool
        workers.pool_broken(exc)
        raise WebError(500, "the fitting process stopped unexpectedly (it may have run out of "
                       "memory); the explorer restarted its workers.", "WorkerDied") from None
    err = out.get("error")
    if err is not None:
        status = 500 if err.get("type") == "InternalError" else 422
        raise WebError(status, err["message"], err["type"])
    return out


@dataclass
class Job:
    id: str
    payload: dict[str, Any]
    status: str = "queued"  # queued | running | done | error | cancelled
    stage: str = "waiting for a free worker"
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel_requested: bool = False
    process: Any = None

    def view(self, with_result: bool = True) -> dict[str, Any]:
        end = self.finished or time.time()
        out: dict[str, Any] = {
            "id": self.id, "status": self.status,
            "progress": {"stage": self.stage, "done": self.done, "total": self.total},
            "elapsed": None if self.started is None else round(end - self.started, 3),
            "error": self.error,
        }
        if with_result:
            out["result"] = self.result
        return out


class Workers:
    """Quick fits on a process pool; jobs each in their own process, at most ``max_jobs`` at a
    time (the rest wait in a queue)."""

    def __init__(self, fit_workers: int = 2, max_jobs: int = 2, job_timeout: float = 600.0,
                 keep_jobs: int = 64) -> None:
        self.ctx = mp_context()
        self.fit_workers = max(1, fit_workers)
        self.job_timeout = job_timeout
        self.keep_jobs = keep_jobs
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._runner = ThreadPoolExecutor(max_workers=max(1, max_jobs),
                                          thread_name_prefix="mlekit-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------------ quick fits
    def _get_pool(self) -> ProcessPoolExecutor:
        with self._pool_lock:
            if self._closed:
                raise WebError(503, "the explorer is shutting down.", "ShuttingDown")
            if self._pool is None:
                from ._compute import worker_init

                self._pool = ProcessPoolExecutor(max_workers=self.fit_workers, mp_context=self.ctx,
                                                 initializer=worker_init)
            return self._pool

    def warm_up(self) -> Future[Any]:
        """Start the pool's processes now (the first fit would otherwise wait for them)."""
        return self._get_pool().submit(int, 0)

    def submit_fit(self, fn: Any, payload: dict[str, Any]) -> Future[Any]:
        return self._get_pool().submit(fn, payload)

    def pool_broken(self, pool_exc: BaseException) -> None:
        """Replace a pool whose process died (e.g. out of memory) so later fits still run."""
        if isinstance(pool_exc, BrokenProcessPool):
            with self._pool_lock:
                old, self._pool = self._pool, None
            if old is not None:
                old.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ jobs
    def submit_job(self, payload: dict[str, Any]) -> Job:
        if self._closed:
            raise WebError(503, "the explorer is shutting down.", "ShuttingDown")
        job = Job(uuid.uuid4().hex[:16], payload)
        with self._lock:
            self._jobs[job.id] = job
            self._evict()
        self._runner.submit(self._run, job)
        return job

    def _evict(self) -> None:
        finished = [j for j in self._jobs.values() if j.status in ("done", "error", "cancelled")]
        extra = len(self._jobs) - self.keep_jobs
        for j in finished[:max(0, extra)]:
            self._jobs.pop(j.id, None)

    def get_job(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise WebError(404, f"no job with id {job_id!r} (finished jobs are kept for a while, "
                           "then dropped).", "UnknownJob")
        return job

    def cancel_job(self, job_id: str) -> Job:
        job = self.get_job(job_id)
        with self._lock:
            if job.status in ("queued", "running"):
                job.cancel_requested = True
                job.payload = {}
                job.status = "cancelled"
                job.stage = "cancelled"
                job.finished = time.time()
                proc = job.process
            else:
                proc = None
        if proc is not None and proc.is_alive():
            proc.terminate()
        return job

    def _run(self, job: Job) -> None:
        from ._compute import job_main

        with self._lock:
            if job.cancel_requested:
                return
            job.status, job.stage, job.started = "running", "starting", time.time()
        recv, send = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(target=job_main, args=(send, job.payload), daemon=True,
                                name=f"mlekit-job-{job.id}")
        try:
            proc.start()
        except Exception as exc:  # pragma: no cover - e.g. out of processes
            self._finish(job, error={"type": "InternalError", "message": f"could not start a "
                                     f"worker process: {exc}"})
            return
        finally:
            send.close()
        with self._lock:
            job.process = proc
            if job.cancel_requested:
                proc.terminate()
        deadline = job.started + self.job_timeout
        outcome: tuple[str, Any] | None = None
        try:
            while True:
                if job.cancel_requested:
                    break
                if time.time() > deadline:
                    proc.terminate()
                    outcome = ("error", {"type": "Timeout", "message": (
                        f"the fit took longer than the limit of {self.job_timeout:g} s and was "
                        "stopped. Hint: fewer families, or a sample of the data.")})
                    break
                if not recv.poll(0.1):
                    continue
                try:
                    msg = recv.recv()
                except (EOFError, OSError):
                    break
                if msg[0] == "progress":
                    with self._lock:
                        if job.status == "running":
                            job.stage, job.done, job.total = msg[1], msg[2], msg[3]
                else:
                    outcome = (msg[0], msg[1])
                    break
        finally:
            recv.close()
            proc.join(timeout=5)
            if proc.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
                proc.kill()
                proc.join()
            proc.close()
            with self._lock:
                job.process = None
        if job.cancel_requested:
            return
        if outcome is None:
            self._finish(job, error={"type": "WorkerDied", "message": (
                "the fitting process stopped unexpectedly (it may have run out of memory). "
                "Hint: try fewer families or a sample of the data.")})
        elif outcome[0] == "result":
            self._finish(job, result=outcome[1])
        else:
            self._finish(job, error=outcome[1])

    def _finish(self, job: Job, result: dict[str, Any] | None = None,
                error: dict[str, Any] | None = None) -> None:
        with self._lock:
            if job.status == "cancelled":
                return
            job.result, job.error = result, error
            job.payload = {}  # the data are not needed any more
            job.status = "done" if error is None else "error"
            job.stage = "done" if error is None else "failed"
            if error is None:
                job.done = job.total
            job.finished = time.time()

    # ------------------------------------------------------------------ shutdown
    def close(self) -> None:
        self._closed = True
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            if job.status in ("queued", "running"):
                self.cancel_job(job.id)
        self._runner.shutdown(wait=True, cancel_futures=True)
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
