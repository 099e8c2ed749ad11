import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "De webapplicatie en een achtergrondwerker samen (gunicorn + klasse worker)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2, help="web processes")

    def handle(self, *args, port: int, host: str, workers: int, **options):
        # The worker in a process group of its own (under DEBUG it is a reloader with a
        # child), so that stopping `serve` stops all of it; SIGTERM stops `serve` as
        # Ctrl+C does, through the `finally` below.
        worker = subprocess.Popen(
            [sys.executable, "-m", "klasse", "worker"], start_new_session=True
        )
        signal.signal(signal.SIGTERM, _exit)
        self.stdout.write(f"Klasse draait op http://{host}:{port}/ (Ctrl+C stopt)")
        try:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "klasse.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(workers),
                    "--access-logfile",
                    "-",
                ],
                check=False,
            )
        except KeyboardInterrupt:
            pass
        finally:
            _stop_group(worker)


def _exit(signum, frame):
    raise SystemExit(0)  # gunicorn, started by subprocess.run, is stopped on the way out


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process's group (a running import rolls back), SIGKILL after 10 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass  # already gone
