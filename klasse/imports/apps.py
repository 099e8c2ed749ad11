from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "klasse.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        # A purge of accounts scrubs their names from the import runs too (`scrub`). Both
        # modules import models, which can be imported only once the apps are ready.
        from klasse.accounts.scrub import purging
        from klasse.accounts.tokens import account_gone

        from .followups import account_gone_school
        from .scrub import import_runs_scrub

        purging.connect(import_runs_scrub, dispatch_uid="klasse_import_runs_scrub")
        # A password link of an account that an undo removed says so (`followups`).
        account_gone.connect(account_gone_school, dispatch_uid="klasse_account_gone_school")
