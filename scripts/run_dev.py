"""Run the development web server and the django-q2 worker together; Ctrl-C stops both."""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ADDRESS = os.environ.get("KOPDES_ADDRESS", "127.0.0.1:8000")


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "website.settings.dev"}
    worker = subprocess.Popen([PY, "manage.py", "qcluster"], cwd=ROOT, env=env)
    server = subprocess.Popen([PY, "manage.py", "runserver", ADDRESS], cwd=ROOT, env=env)
    print(
        f"\nKopdes is running on http://{ADDRESS}/ with its background worker. Ctrl-C stops both.\n",
        flush=True,
    )
    try:
        while True:
            for name, process in (("web server", server), ("worker", worker)):
                code = process.poll()
                if code is not None:
                    print(f"The {name} stopped (exit {code}); stopping the other.", flush=True)
                    return code or 1
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=1)
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (server, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in (server, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
