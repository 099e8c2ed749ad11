from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile the .po translation files to .mo without GNU gettext (polib): those of "
        "LOCALE_PATHS and the `locale` folder of each of Klasse's own apps."
    )

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        folders = [Path(folder) for folder in settings.LOCALE_PATHS]
        folders += [
            Path(config.path) / "locale"
            for config in apps.get_app_configs()
            if config.name.startswith("klasse.") and (Path(config.path) / "locale").is_dir()
        ]
        for locale_dir in folders:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(f"compiled {po_path.relative_to(base)}")
