"""An ECK iD is unique among ACTIVE accounts only: an archived account at the old school no
longer blocks the pupil's new account (issue 16 follow-up, item 1). A partial unique index
works on SQLite and PostgreSQL alike."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_account_eck_id_and_groups"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="account", name="account_eck_id_unique"),
        migrations.AddConstraint(
            model_name="account",
            constraint=models.UniqueConstraint(
                condition=models.Q(("eck_id", ""), _negated=True)
                & models.Q(("archived_at__isnull", True)),
                fields=("eck_id",),
                name="account_eck_id_unique_active",
            ),
        ),
    ]
