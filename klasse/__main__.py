"""The `klasse` command: the project's manage.py."""

import os
import sys


def main() -> None:
    """Run a management command. A setting that stops the start (a published SECRET_KEY,
    an unreadable value) is said in one line on standard error, exit status 1: an operator
    needs the sentence, not Python's traceback around it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klasse.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"Klasse start niet: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
