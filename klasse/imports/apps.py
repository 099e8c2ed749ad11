from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "klasse.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        # A purge of accounts scrubs their names from the import runs too (`scrub`). Both
        # modules import models, which can be imported only once the apps are ready.
        from klasse.accounts.scrub import purging

        from .scrub import import_runs_scrub

        purging.connect(import_runs_scrub, dispatch_uid="klasse_import_runs_scrub")
