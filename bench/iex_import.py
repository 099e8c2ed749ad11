"""Import a template CSV of new accounts with django-import-export (benchmark only).

Run: DATABASE_URL=... .venv/bin/python bench/iex_import.py FILE SCHOOL_SLUG
(or call `import_file` in a process where Django is set up).

The side of figure f in bench/import_bench.py: django-import-export (`pip install
django-import-export`, the optional dependency group `bench`) in its fastest configuration
for this job: a ModelResource with `use_bulk`, `batch_size`, `skip_unchanged`, the
`CachedInstanceLoader` on `import_id_fields = ["username"]`, no HTML diff, and, more than
its documentation asks, foreign keys looked up from a dict instead of one query per row.
The Resource API works without "import_export" in INSTALLED_APPS (only its admin
integration needs that), so this runs on Klasse's own settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klasse.settings")


def import_file(path: Path, school) -> dict:
    """Import the template CSV at `path` into `school`; returns django-import-export's
    totals. Django must be set up."""
    import tablib
    from django.contrib.auth.hashers import make_password
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from klasse.accounts.models import Account, Programme, SchoolClass

    class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
        """ForeignKeyWidget with every choice loaded once (the stock one queries per row)."""

        def __init__(self, model, field, queryset):
            super().__init__(model, field)
            self.choices = {getattr(obj, field): obj for obj in queryset}

        def clean(self, value, row=None, **kwargs):
            return self.choices.get(value) if value else None

    class RoleWidget(widgets.Widget):
        ROLES = {"": "student", "leerling": "student", "docent": "teacher"}

        def clean(self, value, row=None, **kwargs):
            return self.ROLES[(value or "").strip().lower()]

    unusable = make_password(None)

    class AccountResource(resources.ModelResource):
        last_name = fields.Field(attribute="last_name", column_name="achternaam")
        infix = fields.Field(attribute="infix", column_name="tussenvoegsel")
        first_name = fields.Field(attribute="first_name", column_name="voornaam")
        username = fields.Field(attribute="username", column_name="gebruikersnaam")
        email = fields.Field(attribute="email", column_name="e-mailadres")
        school_class = fields.Field(
            attribute="school_class",
            column_name="klas",
            widget=CachedForeignKeyWidget(
                SchoolClass, "name", SchoolClass.objects.filter(school=school)
            ),
        )
        programme = fields.Field(
            attribute="programme",
            column_name="opleiding",
            widget=CachedForeignKeyWidget(Programme, "code", Programme.objects.all()),
        )
        role = fields.Field(attribute="role", column_name="rol", widget=RoleWidget())
        external_id = fields.Field(attribute="external_id", column_name="stamnummer")

        class Meta:
            model = Account
            fields = (
                "last_name",
                "infix",
                "first_name",
                "username",
                "email",
                "school_class",
                "programme",
                "role",
                "external_id",
            )
            import_id_fields = ["username"]
            instance_loader_class = CachedInstanceLoader
            use_bulk = True
            batch_size = 5000
            skip_unchanged = True
            skip_html_diff = True
            report_skipped = False

        def init_instance(self, row=None):
            return Account(school=school, password=unusable)

    text = path.read_bytes().decode("utf-8-sig")
    dataset = tablib.Dataset().load(text, format="csv", delimiter=";")
    result = AccountResource().import_data(
        dataset, dry_run=False, use_transactions=True, raise_errors=True
    )
    return dict(result.totals)


def main() -> None:
    import django

    django.setup()
    from klasse.accounts.models import School

    school = School.objects.get(slug=sys.argv[2])
    print(import_file(Path(sys.argv[1]), school))


if __name__ == "__main__":
    main()
