"""The builder's thread budget: each worker process gets ``cores // workers`` threads.

FFmpeg's decoders and frame scalers (swscale), the H.264 encoder, OpenCV, PyTorch and the
BLAS libraries each start their own pool of one thread per core.  With several worker
processes on one machine that is many more runnable threads than cores, and the build
slows down as workers are added.  The budget is set everywhere a pool is made:

=====================  =================================================================
where                  how
=====================  =================================================================
FFmpeg decoders        :func:`mvemo.util.set_codec_threads` -> ``thread_count`` and
and scalers            ``thread_type`` of the PyAV codec contexts
                       (:mod:`mvemo.io.video`, :mod:`mvemo.audio.io`), ``threads`` of
                       the scaler
H.264 encoder          a fixed :data:`ENCODER_THREADS` (the bit stream depends on the
                       encoder's thread count: a fixed count keeps the output identical
                       for any number of workers and on any machine)
OpenCV                 ``cv2.setNumThreads`` in the worker
PyTorch, OpenMP, BLAS  :data:`MATH_THREADS` (1): ``torch.set_num_threads``, and
                       ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``
                       ... with ``OMP_WAIT_POLICY=PASSIVE`` in the worker processes'
                       environment before they start
Dask                   lean local workers: no statistical profiler, no GIL or disk
                       monitor, no spilling (tasks carry paths and small JSON results)
=====================  =================================================================

PyTorch gets one thread, not the budget: the annotators' models are small, and a second
OpenMP thread made the fused annotator 1.5x (passive waiting) to 5x (OpenMP's default
spinning) slower in wall time on this 2-core machine under load (one worker process,
``docs/dataset_builder.md``).  ``MVEMO_BUILD_MATH_THREADS=N`` changes it.

``MVEMO_BUILD_TUNING=off`` in the driver's environment turns all of it off (FFmpeg's,
PyTorch's and Dask's defaults, videos in source order), to measure what it gains.
``MVEMO_BUILD_THREADS=N`` overrides the budget.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from mvemo.errors import ParameterError

__all__ = [
    "BLAS_ENV",
    "ENCODER_THREADS",
    "MATH_THREADS",
    "MATH_THREADS_ENV",
    "THREADS_ENV",
    "TUNING_ENV",
    "configure_worker",
    "lean_dask_config",
    "math_threads",
    "thread_budget",
    "tuning_enabled",
    "worker_environ",
]

TUNING_ENV = "MVEMO_BUILD_TUNING"  #: "off" (or 0, false, no) turns the tuning off
THREADS_ENV = "MVEMO_BUILD_THREADS"  #: threads per worker, overriding cores // workers
MATH_THREADS_ENV = "MVEMO_BUILD_MATH_THREADS"  #: PyTorch / OpenMP / BLAS threads per worker
MATH_THREADS = 1  #: default PyTorch / OpenMP / BLAS threads per worker (see above)
BLAS_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
            "VECLIB_MAXIMUM_THREADS")  # fmt: skip
#: Threads of the transcode step's video encoder when tuned (a constant: outputs must not
#: depend on the number of workers or the machine).
ENCODER_THREADS = 1
_CONFIGURED: list[int] = []  # the budget applied in this process (at most one entry)


def tuning_enabled(environ: dict[str, str] | None = None) -> bool:
    """Whether the thread budget and the lean Dask settings are on (``$MVEMO_BUILD_TUNING``)."""
    env = os.environ if environ is None else environ
    return env.get(TUNING_ENV, "on").strip().lower() not in ("off", "0", "false", "no")


def thread_budget(*, workers: int, cores: int | None = None, environ: dict[str, str] | None = None) -> int:
    """Threads per worker process: ``$MVEMO_BUILD_THREADS``, else ``max(1, cores // workers)``.

    Parameters
    ----------
    workers : int
        Worker processes on this machine.
    cores : int, optional
        Default: the cores this process may run on.

    Raises
    ------
    ParameterError
        For ``workers < 1`` or a bad ``$MVEMO_BUILD_THREADS``.
    """
    if workers < 1:
        raise ParameterError(f"workers must be >= 1, got {workers}")
    env = os.environ if environ is None else environ
    if env.get(THREADS_ENV):
        try:
            n = int(env[THREADS_ENV])
        except ValueError:
            n = 0
        if n < 1:
            raise ParameterError(f"{THREADS_ENV} must be a positive integer, got {env[THREADS_ENV]!r}")
        return n
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // workers)


def math_threads(environ: dict[str, str] | None = None) -> int:
    """PyTorch / OpenMP / BLAS threads per worker: ``$MVEMO_BUILD_MATH_THREADS``, else
    :data:`MATH_THREADS`.

    Raises
    ------
    ParameterError
        For a bad ``$MVEMO_BUILD_MATH_THREADS``.
    """
    env = os.environ if environ is None else environ
    raw = env.get(MATH_THREADS_ENV)
    if not raw:
        return MATH_THREADS
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise ParameterError(f"{MATH_THREADS_ENV} must be a positive integer, got {raw!r}")
    return n


def worker_environ(threads: int, *, math: int | None = None) -> dict[str, str]:
    """Environment for a worker process with a budget of ``threads`` (``$MVEMO_BUILD_THREADS``
    for :func:`configure_worker`) and ``math`` PyTorch / OpenMP / BLAS threads (default
    :func:`math_threads`), OpenMP threads waiting passively."""
    math = math_threads() if math is None else math
    env = {k: str(math) for k in BLAS_ENV}
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    env[THREADS_ENV] = str(threads)
    env[MATH_THREADS_ENV] = str(math)
    return env


def lean_dask_config(threads: int) -> dict[str, Any]:
    """``dask.config`` settings for the builder's local workers.

    The workers run one long task at a time and hold only small JSON results, so the
    statistical profiler (a thread sampling every stack every 10 ms), the GIL and disk
    monitors and spilling to disk cost CPU for nothing.  The memory limit still pauses and
    restarts a worker that grows too large.  The thread budget goes into the environment the
    nanny gives its worker process before it starts (``pre-spawn-environ``).
    """
    return {
        "distributed.worker.profile.enabled": False,
        "distributed.admin.system-monitor.gil.enabled": False,
        "distributed.admin.system-monitor.disk": False,
        "distributed.admin.system-monitor.interval": "2s",
        "distributed.worker.memory.monitor-interval": "1s",
        "distributed.worker.memory.target": False,
        "distributed.worker.memory.spill": False,
        "distributed.nanny.pre-spawn-environ": {"MALLOC_TRIM_THRESHOLD_": 65536, **worker_environ(threads)},
    }


def configure_worker(threads: int | None = None) -> int | None:
    """Apply a thread budget in this process, once: FFmpeg and OpenCV get ``threads``,
    PyTorch :func:`math_threads`.

    Parameters
    ----------
    threads : int, optional
        Default: ``$MVEMO_BUILD_THREADS`` (set by the builder's local cluster); without it
        nothing is changed.

    Returns
    -------
    int or None
        The budget applied (None: none).
    """
    if threads is None:
        raw = os.environ.get(THREADS_ENV)
        if not raw:
            return None
        threads = int(raw)
    if threads < 1:
        raise ParameterError(f"threads must be >= 1, got {threads}")
    if _CONFIGURED and _CONFIGURED[0] == threads:
        return threads
    from mvemo.util import set_codec_threads

    set_codec_threads(threads)
    for k, v in worker_environ(threads).items():  # for libraries imported from now on
        os.environ[k] = v
    torch = sys.modules.get("torch")  # not imported yet: it reads OMP_NUM_THREADS when it is
    if torch is not None:
        torch.set_num_threads(math_threads())
    try:
        import cv2
    except ImportError:
        cv2 = None
    if cv2 is not None:
        cv2.setNumThreads(threads)
    _CONFIGURED[:] = [threads]
    return threads
