"""A sampling profile of a running server, taken while a benchmark loads it.

``py-spy`` (not a dependency: ``pip install py-spy``) attaches to the server's process
and, with ``--gil``, records only the thread holding the interpreter lock. A Python
server under load runs one thread at a time, so those samples say where its time
goes: the share of samples in a function is the share of the server's Python time
spent there. The samples are kept raw (one line per distinct stack, then its count)
and summed here per function, both where a sample stops (self) and anywhere on its
stack (total).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# One frame of py-spy's raw output: "function (path/to/file.py:123)".
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")


@contextmanager
def sampled(pid: int, raw: Path, rate: int = 250) -> Iterator[None]:
    """Samples ``pid`` for as long as the block runs, into ``raw``."""
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    process = subprocess.Popen(
        [
            *(spy, "record", "--pid", str(pid), "--rate", str(rate), "--gil"),
            *("--format", "raw", "--output", str(raw), "--nonblocking"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.5)  # attached before the first request is timed
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
        if not raw.exists():
            raise SystemExit(f"py-spy wrote no profile: {errors.decode(errors='replace')}")


def _where(frame: str) -> str:
    """``function (package/module.py)``, the line number dropped so a function's
    lines add up, and the path cut to what follows site-packages or src."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['function']} ({path})"


def _stacks(raw: Path) -> Iterator[tuple[list[str], int]]:
    """Each distinct stack of the profile (outermost frame first) and its samples."""
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = [_where(f) for f in stack.split(";") if f.strip()]
        if frames and count_text.isdigit():
            yield frames, int(count_text)


def summary(raw: Path) -> tuple[int, Counter[str], Counter[str]]:
    """Samples in all, and per function the samples that stop in it (self) and the
    samples with it anywhere on their stack (total)."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for frames, count in _stacks(raw):
        samples += count
        own[frames[-1]] += count
        for where in set(frames):
            total[where] += count
    return samples, own, total


def report(raw: Path, top: int = 25) -> None:
    """Prints the functions with most samples on their stack, then those with most
    samples of their own."""
    samples, own, total = summary(raw)
    if samples == 0:
        print("profile: no samples")
        return
    print(f"profile: {samples} samples of the thread holding the interpreter lock ({raw})")
    print(f"{'total':>6} {'self':>6}  function")
    for where, count in total.most_common(top):
        print(f"{100 * count / samples:5.1f}% {100 * own[where] / samples:5.1f}%  {where}")
    print(f"{'self':>6}  function (by its own samples)")
    for where, count in own.most_common(top):
        print(f"{100 * count / samples:5.1f}%  {where}")
