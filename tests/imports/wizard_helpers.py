"""Walk the import wizard with Django's test client, as an administrator's browser would."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from klasse.imports.file_reading import run_read
from klasse.imports.models import ImportRun, UploadedFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MAGISTER = FIXTURES / "magister-profiel.csv"  # Windows-1252, `;`, row 5 has "havo 9"


def stored_files() -> list:
    """The runs whose uploaded file the database still keeps."""
    return list(UploadedFile.objects.values_list("run_id", flat=True))


def upload(client: Client, data: bytes, name: str = "leerlingen.csv"):
    return client.post(reverse("imports:start"), {"file": SimpleUploadedFile(name, data)})


def uploaded(client: Client, data: bytes, name: str = "leerlingen.csv") -> ImportRun:
    response = upload(client, data, name)
    assert response.status_code == 302, response.content.decode()
    run = ImportRun.objects.latest("created_at")
    if run.status == ImportRun.Status.READING:  # tasks are queued: read it as a worker would
        run_read(run_id=str(run.pk))
        run.refresh_from_db()
    return run


def mapping_data(client: Client, run: ImportRun, **changes) -> dict:
    """What the mapping page posts when "Verder" is clicked with its pre-filled choices;
    `changes` by column header (`Profiel="programme"`) or by form field (`archive=True`)."""
    page = client.get(reverse("imports:mapping", args=[run.pk]))
    form = page.context["form"]
    data = {"stap": "verder", "kolommen": page.context["signature"]}
    if page.context["reading"] is not None:
        reading = page.context["reading"]
        data |= {"encoding": reading["encoding"].value(), "delimiter": reading["delimiter"].value()}
    columns = {header: f"kolom_{i}" for i, header in enumerate(form.headers)}
    values = {name: form.initial.get(name) for name in (*columns.values(), *form.ACTION_NAMES)}
    for key, value in changes.items():
        values[columns.get(key, key)] = value
    for name, value in values.items():
        if value is True:
            data[name] = "on"
        elif value:
            data[name] = value
    return data


def mapped(client: Client, data: bytes, name: str = "leerlingen.csv", **changes) -> ImportRun:
    run = uploaded(client, data, name)
    response = client.post(
        reverse("imports:mapping", args=[run.pk]), mapping_data(client, run, **changes)
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("imports:preview", args=[run.pk])
    run.refresh_from_db()
    return run


def importeer(client: Client, run: ImportRun, *, confirm: bool = False, fingerprint=None):
    """Look at the preview, then click "Importeer" (with the extra tick when `confirm`)."""
    preview = client.get(reverse("imports:preview", args=[run.pk]))
    data = {"fingerprint": fingerprint or preview.context["form"].initial["fingerprint"]}
    if confirm:
        data["confirm_mass_archive"] = "on"
    return client.post(reverse("imports:confirm", args=[run.pk]), data)
