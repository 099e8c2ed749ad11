import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand

from klasse.accounts.site import served_url


class Command(BaseCommand):
    help = "De webapplicatie en een achtergrondwerker samen (gunicorn + klasse worker)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2, help="web processes")

    def handle(self, *args, port: int, host: str, workers: int, **options):
        # gunicorn and the worker each in a process group of their own (gunicorn's web
        # processes, the worker's reloader child under DEBUG), so that stopping `serve`
        # stops all of them; SIGTERM stops `serve` as Ctrl+C does, through `finally`.
        # Without KLASSE_BASE_URL, links in e-mails and pages point at the address served here.
        env = dict(os.environ)
        if not env.get("KLASSE_BASE_URL"):
            env["KLASSE_BASE_URL"] = served_url(host, port)
        worker = subprocess.Popen(
            [sys.executable, "-m", "klasse", "worker"], start_new_session=True, env=env
        )
        web = subprocess.Popen(
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
            start_new_session=True,
            env=env,
        )
        signal.signal(signal.SIGTERM, _exit)
        self.stdout.write(f"Klasse draait op {served_url(host, port)}/ (Ctrl+C stopt)")
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            _stop_group(web)
            _stop_group(worker)


def _exit(signum, frame):
    raise SystemExit(0)


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process's group (gunicorn finishes its requests, a running import
    rolls back), SIGKILL after 10 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass  # already gone
