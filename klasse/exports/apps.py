from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "klasse.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        # An export made before a purge still names the purged accounts: it goes too.
        from klasse.accounts.scrub import purging

        from .background import export_files_scrub

        purging.connect(export_files_scrub, dispatch_uid="klasse_export_files_scrub")
