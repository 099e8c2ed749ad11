from django.db import migrations


def load_catalogue(apps, schema_editor):
    """The leerplan catalogue, version 2026.1 (klasse/leerplan/data/leerplan-2026.1.json). A
    later version is loaded by a migration of its own calling catalogue_load with its file:
    it adds and retires skills by code and deletes nothing."""
    from klasse.leerplan.catalogue import catalogue_load, catalogue_read

    catalogue_load(apps, catalogue_read("2026.1"))


class Migration(migrations.Migration):
    dependencies = [("leerplan", "0001_subjects_licences_skills_activations")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
