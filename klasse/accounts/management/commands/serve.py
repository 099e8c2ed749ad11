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
        worker = subprocess.Popen([sys.executable, "-m", "klasse", "worker"])
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
            worker.terminate()
            worker.wait(timeout=10)
