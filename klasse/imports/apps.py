from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "klasse.imports"
    label = "imports"
    verbose_name = "Imports"
