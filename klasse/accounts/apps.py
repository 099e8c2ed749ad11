from django.apps import AppConfig
from django.db.backends.signals import connection_created

from .db import register_sqlite_functions


class AccountsConfig(AppConfig):
    name = "klasse.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        connection_created.connect(register_sqlite_functions, dispatch_uid="klasse_sqlite_lower")
