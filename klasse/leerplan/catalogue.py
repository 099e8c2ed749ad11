"""The leerplan catalogue shipped as data (`data/leerplan-VERSION.json`) and its loader.

A catalogue file holds the whole catalogue of one version: subjects, their domains and
skills, each skill with a stable code. Loading a version upserts by code and retires the
codes it no longer lists; nothing is ever deleted, so every activation of a skill that a
new version keeps stays as it was (and one of a retired skill comes back with it).
Sources: SLO's *referentiekader taal en rekenen* (levels 1F–3F, its domains) and the ERK
(A1–B2) for Engels and NT2.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


class CatalogueError(ValueError):
    """A catalogue file that cannot be loaded; the message says what and where."""


def catalogue_read(version: str) -> dict:
    """The parsed catalogue file `data/leerplan-<version>.json` (a dict: version, subjects)."""
    path = DATA_DIR / f"leerplan-{version}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def catalogue_check(data: dict) -> None:
    """Raise CatalogueError unless `data` is a loadable catalogue: a version, subjects with a
    slug and levels, domains and skills with codes unique in the whole file, each skill's
    level one of its subject's levels."""
    if not str(data.get("version", "")).strip():
        raise CatalogueError("De catalogus heeft geen versie ('version').")
    seen: set[str] = set()
    for subject in data.get("subjects", []):
        slug = subject.get("slug", "")
        if not slug or not subject.get("levels"):
            raise CatalogueError(f"Vak {slug or '?'}: een korte naam en niveaus zijn verplicht.")
        for domain in subject.get("domains", []):
            for code in [domain["code"], *(skill["code"] for skill in domain["skills"])]:
                if code in seen:
                    raise CatalogueError(f"Vak {slug}: de code {code} staat er twee keer in.")
                seen.add(code)
            for skill in domain["skills"]:
                if skill["level"] not in subject["levels"]:
                    raise CatalogueError(
                        f"Vak {slug}, vaardigheid {skill['code']}: niveau {skill['level']} "
                        f"is geen niveau van dit vak ({', '.join(subject['levels'])})."
                    )


def catalogue_load(apps, data: dict) -> dict[str, int]:
    """Load one catalogue version into the database through `apps` (Django's registry, or a
    migration's historical one). Upserts subjects by slug, domains and skills by code;
    skills the version does not list get `retired_in` = its version (never deleted); a
    listed skill that was retired comes back. Returns counts of skills: added, updated
    (name, level, domain or retirement changed), retired, unchanged. Raises CatalogueError
    before writing anything for a bad file."""
    catalogue_check(data)
    subject_model = apps.get_model("leerplan", "Subject")
    domain_model = apps.get_model("leerplan", "Domain")
    skill_model = apps.get_model("leerplan", "Skill")
    version = str(data["version"])
    counts = {"added": 0, "updated": 0, "retired": 0, "unchanged": 0}
    existing = {skill.code: skill for skill in skill_model.objects.all()}
    listed: set[str] = set()
    order = 0
    for subject_data in data["subjects"]:
        subject, _created = subject_model.objects.update_or_create(
            slug=subject_data["slug"],
            defaults={
                "name": subject_data["name"],
                "framework": subject_data.get("framework", ""),
                "levels": subject_data["levels"],
                "sort_order": subject_data.get("sort_order", 0),
            },
        )
        for domain_order, domain_data in enumerate(subject_data["domains"]):
            domain, _created = domain_model.objects.update_or_create(
                code=domain_data["code"],
                defaults={
                    "subject": subject,
                    "name": domain_data["name"],
                    "sort_order": domain_order,
                },
            )
            for skill_data in domain_data["skills"]:
                order += 1
                listed.add(skill_data["code"])
                values = {
                    "name": skill_data["name"],
                    "level": skill_data["level"],
                    "subject_id": subject.pk,
                    "domain_id": domain.pk,
                    "sort_order": order,
                    "retired_in": "",
                }
                skill = existing.get(skill_data["code"])
                if skill is None:
                    skill_model.objects.create(code=skill_data["code"], added_in=version, **values)
                    counts["added"] += 1
                else:
                    changed = [n for n, value in values.items() if getattr(skill, n) != value]
                    for name in changed:
                        setattr(skill, name, values[name])
                    if changed:
                        skill.save(update_fields=changed)
                    # Its place in the list moves when others come or go: not a change.
                    counts["updated" if set(changed) - {"sort_order"} else "unchanged"] += 1
    counts["retired"] = (
        skill_model.objects.exclude(code__in=listed)
        .filter(retired_in="")
        .update(retired_in=version)
    )
    return counts
