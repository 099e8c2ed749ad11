"""The combined first years schools use (havo/vwo 1, vmbo-t/havo 1, mavo/havo 2,
vwo/gymnasium 1, brugklas 1) and the aliases vmbo-k/-b/-g: the shipped catalogue is loaded
again. Loading is idempotent: existing programmes keep their ids (and so their students),
new ones are added and every programme takes its place in the list."""

from django.db import migrations


def load_catalogue(apps, schema_editor):
    from klasse.accounts.programmes import catalogue_store

    catalogue_store(apps.get_model("accounts", "Programme"), apps.get_model("accounts", "ProgrammeAlias"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_username_index_folds_unicode_on_sqlite")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
