#!/usr/bin/env python
"""`make run`: the web server, the task worker and the simulators, stopped together.

Each child runs in its own process group, so Ctrl-C (or SIGTERM) here stops every process
it started, including the autoreloader's children.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

DEMO_ACCOUNTS = [
    ("demo.citizen", "Công dân đã xác thực (số định danh 079090001234)"),
    ("demo.citizen2", "Công dân thứ hai"),
    ("demo.business", "Doanh nghiệp (mã số thuế 0312345678)"),
    ("demo.receiver", "Cán bộ một cửa – Sở Nội vụ"),
    ("demo.specialist", "Chuyên viên – Sở Nội vụ"),
    ("demo.leader", "Lãnh đạo – Sở Nội vụ"),
    ("demo.ward.receiver", "Cán bộ một cửa – Phường Bến Thành"),
    ("demo.admin", "Quản trị hệ thống"),
]


def start(name: str, args: list[str]) -> subprocess.Popen:
    print(f"→ starting {name}: {' '.join(args)}", flush=True)
    return subprocess.Popen(args, cwd=ROOT, start_new_session=True)  # noqa: S603 - our own commands


def wait_healthy(url: str, processes: dict[str, subprocess.Popen], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"✗ {name} exited with {process.returncode}", file=sys.stderr)
                return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback health probe
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args()

    processes: dict[str, subprocess.Popen] = {}
    if (ROOT / "simulators" / "__main__.py").exists():
        processes["simulators"] = start("simulators", [PYTHON, "-m", "simulators"])
    processes["worker"] = start("task worker", [PYTHON, "manage.py", "db_worker", "--queue-name", "*"])
    processes["periodic"] = start("periodic jobs", [PYTHON, "manage.py", "run_periodic"])
    processes["web"] = start("web", [PYTHON, "manage.py", "runserver", f"127.0.0.1:{args.port}"])

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        base = f"http://127.0.0.1:{args.port}"
        if not wait_healthy(f"{base}/healthz", processes):
            print("✗ MotCua did not start; see the messages above.", file=sys.stderr)
            return 1
        print(f"\nMotCua đang chạy / is running at {base}/", flush=True)
        print(f"  Quản trị / admin: {base}/quan-tri/   API: {base}/api/v1/docs", flush=True)
        print("Tài khoản thử nghiệm / demo accounts (mật khẩu / password: motcua-demo-2026):", flush=True)
        for username, who in DEMO_ACCOUNTS:
            print(f"  {username:<20} {who}", flush=True)
        print("Nhấn Ctrl-C để dừng / press Ctrl-C to stop.\n", flush=True)
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"✗ {name} stopped (exit {process.returncode}); stopping everything.", file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nĐang dừng / stopping…", flush=True)
        return 0
    finally:
        stop_all(processes)


if __name__ == "__main__":
    sys.exit(main())
