"""Figures the benchmark and test scripts print: percentiles and the machine they ran on."""
import os
import platform
from pathlib import Path
from typing import List


def percentile(values: List[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def machine(detail: bool = False) -> str:
    """"2 cores, 24 GiB"; with ``detail``, also the CPU model, the system and Python."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    if not detail:
        return f"{os.cpu_count()} cores{mem}"
    return (f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")
