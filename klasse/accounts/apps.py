from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "klasse.accounts"
    label = "accounts"
    verbose_name = "Accounts"
