"""WeasyPrint in worker processes: documents never render on the event loop.

A render is a CPU-bound second of layout; on the event loop it would stall every other request.
The renderer keeps a small pool of worker processes (spawned, so no server state leaks into them),
each with an address-space limit, recycled after a number of documents to return memory, and every
render bounded in time: a render past its deadline has its worker killed and replaced, and the
caller gets ``RenderTimeoutError``; a render past the memory limit fails with ``RenderMemoryError``
(a worker that died on it is replaced). Documents beyond the number of workers wait their turn in
a queue (an asyncio semaphore: no thread is held while waiting), so on two cores one document
renders at a time and the server keeps a core. The pool starts on the first document.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from concurrent.futures.process import BrokenProcessPool


class RenderError(RuntimeError):
    """A document could not be rendered within the renderer's limits."""


class RenderTimeoutError(RenderError):
    """A document took longer than the renderer allows."""


class RenderMemoryError(RenderError):
    """A document needed more memory than a worker may have."""


def _prepare_worker(limit_bytes: int) -> None:
    """Runs in each worker as it starts. Caps its address space, so a pathological document fails
    with MemoryError in the worker instead of swapping the server, and lowers its CPU priority, so
    on a small machine the server's requests go first and documents take the time left over."""
    import os
    import resource

    if limit_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    os.nice(10)


def render_pdf(html: str) -> bytes:
    """Runs in a worker (only there: it pauses the process's cycle collector): HTML to PDF, loading
    only bundled assets."""
    import gc

    from weasyprint import HTML

    from portal.documents.fetcher import AssetFetcher

    # A document's boxes become garbage together once it is written. Collected as layout goes, each
    # full collection walked every box made so far, ever more of them on a long quote (a sixth of a
    # 500-line quote's time); so the collector waits for the end, and what is still alive then (fonts,
    # caches) is frozen so that the next document's collection does not walk it again.
    gc.disable()
    try:
        pdf = HTML(string=html, base_url="portal-asset:/", url_fetcher=AssetFetcher()).write_pdf()
    finally:
        gc.enable()
        gc.collect()
        gc.freeze()
    assert pdf is not None
    return bytes(pdf)


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render_pdf_measured(html: str) -> tuple[bytes, float]:
    """For the benchmark: the PDF and the worker's peak resident memory in MiB."""
    return render_pdf(html), _peak_rss_mib()


class DocumentRenderer:
    def __init__(self, workers: int = 2, timeout_seconds: float = 30.0, memory_limit_mib: int = 1536) -> None:
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self.memory_limit_bytes = memory_limit_mib * 1024 * 1024
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(workers)
        self._queues: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_prepare_worker,
                    initargs=(self.memory_limit_bytes,),
                    max_tasks_per_child=100,
                )
            return self._pool

    def _replace_pool(self) -> None:
        """Kill the workers (one is stuck past its deadline) and start afresh on the next render."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, function: object, *args: object) -> Future[object]:
        return self._executor().submit(function, *args)  # type: ignore[arg-type]

    def render_sync(self, html: str) -> bytes:
        """Render and wait (the CLI, tests, benchmarks); the same limits as ``render``."""
        with self._slots:
            future = self._executor().submit(render_pdf, html)
            try:
                return future.result(timeout=self.timeout_seconds)
            except FutureTimeoutError:
                self._replace_pool()
                raise self._timeout() from None
            except (MemoryError, BrokenProcessPool):
                self._replace_pool()
                raise self._out_of_memory() from None

    async def render(self, html: str) -> bytes:
        """Render without blocking the event loop; at most ``workers`` documents at once, the
        others queued in arrival order."""
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = asyncio.Semaphore(self.workers)
        async with queue:
            future = self._executor().submit(render_pdf, html)
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_seconds)
            except TimeoutError:
                self._replace_pool()
                raise self._timeout() from None
            except (MemoryError, BrokenProcessPool):
                self._replace_pool()
                raise self._out_of_memory() from None

    def _timeout(self) -> RenderTimeoutError:
        return RenderTimeoutError(f"the document took longer than {self.timeout_seconds:g} s")

    def _out_of_memory(self) -> RenderMemoryError:
        limit = self.memory_limit_bytes // (1024 * 1024)
        return RenderMemoryError(f"the document needed more than the {limit} MiB a renderer may use")

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
