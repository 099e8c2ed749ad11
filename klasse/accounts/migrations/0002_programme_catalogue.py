from django.db import migrations


def load_catalogue(apps, schema_editor):
    from klasse.accounts.programmes import catalogue_store

    catalogue_store(apps.get_model("accounts", "Programme"), apps.get_model("accounts", "ProgrammeAlias"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
