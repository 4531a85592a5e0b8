"""Worker processes with a time limit: one computation cannot hang the server.

``Pool(size, time_limit)`` keeps ``size`` worker processes (``python -m matcalc.web.worker``,
each with matcalc loaded and warm); a request borrows a free one, writes it the job and waits
at most ``time_limit`` seconds for the answer.  A worker past the limit (or one that died) is
killed and replaced by a new process, the request is answered with ``TIME_LIMIT`` (or
``LOST``), and the other workers go on.  Requests beyond ``size`` wait for a free worker;
``size`` requests run in parallel.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

STARTUP_LIMIT = 120.0  # seconds for a new worker to load matcalc (not counted in a request's time)
TIME_LIMIT = "time limit"
LOST = "lost"
# The folder holding the package matcalc, so that a worker finds the same matcalc.
SOURCE = str(Path(__file__).resolve().parents[2])


class Worker:
    """One worker process (``python -m matcalc.web.worker``) and its pipes."""

    def __init__(self):
        path = os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "matcalc.web.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path, "PYTHONUTF8": "1"}, text=True, encoding="utf-8")
        self.ready = False

    def _line(self, limit: float) -> tuple[str, bool]:
        """(the worker's next line, whether ``limit`` seconds passed first): "" when the worker
        has died or was killed at the limit."""
        late = threading.Event()

        def stop():
            late.set()
            self.process.kill()

        timer = threading.Timer(limit, stop)
        timer.start()
        try:
            return self.process.stdout.readline(), late.is_set()
        finally:
            timer.cancel()

    def call(self, job, limit: float):
        """The worker's answer (status, body) to ``job`` = (command, args), or TIME_LIMIT / LOST."""
        try:
            if not self.ready:
                if self._line(STARTUP_LIMIT)[0].strip() != '"ready"':
                    return LOST
                self.ready = True
            command, args = job
            self.process.stdin.write(json.dumps([command, vars(args)]) + "\n")
            self.process.stdin.flush()
            line, late = self._line(limit)
        except OSError:
            return LOST
        if not line:
            return TIME_LIMIT if late else LOST
        return tuple(json.loads(line))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


@dataclass
class Pool:
    """``size`` workers; ``run(job)`` answers in one of them within ``time_limit`` seconds."""

    size: int
    time_limit: float
    workers: list | None = None
    free: asyncio.Queue | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the workers (once); they load matcalc while the server starts."""
        if self.workers is None:
            self.workers = [Worker() for _ in range(self.size)]

    def _call(self, worker: Worker, job):
        """(the worker to give back, the answer): a worker past the limit or lost is replaced."""
        try:
            result = worker.call(job, self.time_limit)
        except Exception:  # noqa: BLE001 — a worker that answers nonsense is replaced like a lost one
            result = LOST
        if (result in (TIME_LIMIT, LOST) or worker.process.poll() is not None) and self.workers is not None:
            worker.stop()
            self.workers[self.workers.index(worker)] = worker = Worker()
        return worker, result

    async def run(self, job):
        """The answer to ``job`` from a free worker, or TIME_LIMIT / LOST."""
        self.start()
        if self.free is None:
            self.free = asyncio.Queue()
            for w in self.workers:
                self.free.put_nowait(w)
        worker = await self.free.get()
        task = asyncio.ensure_future(asyncio.to_thread(self._call, worker, job))
        # The worker goes back when its job is done, even if the request is given up meanwhile.
        task.add_done_callback(lambda done: self.free.put_nowait(done.result()[0]))
        return (await asyncio.shield(task))[1]

    def close(self) -> None:
        for w in self.workers or ():
            w.stop()
        self.workers, self.free = None, None


def default_size() -> int:
    """One worker per core, at least two (so that a slow request leaves another free), at most eight."""
    return max(2, min(8, os.cpu_count() or 2))
