from django.db import migrations


def load_catalogue(apps, schema_editor):
    from klasse.accounts.programmes import load_catalogue, programme_key

    Programme = apps.get_model("accounts", "Programme")
    ProgrammeAlias = apps.get_model("accounts", "ProgrammeAlias")
    seen = set()
    for order, entry in enumerate(load_catalogue()):
        programme, _ = Programme.objects.update_or_create(
            code=entry["code"], defaults={"sort_order": order}
        )
        for spelling in (entry["code"], *entry["aliases"]):
            key = programme_key(spelling)
            if key not in seen:
                seen.add(key)
                ProgrammeAlias.objects.update_or_create(key=key, defaults={"programme": programme})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
