"""Switching skills on and off for a class or for one student (a personal leerplan).

One call is one change as a person makes it (a skill, a whole domain or a level): it
writes one audit entry with the codes it switched, never one per skill.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from klasse.accounts.audit import Action, audit_record
from klasse.accounts.models import Account, SchoolClass

from .models import Activation, PersonalActivation, Skill, Subject


class ActivationError(ValueError):
    """Codes that are not current skills of the subject."""


@dataclass
class Switched:
    """What one change did: the codes switched on (new or with a new start date), off, and
    `kept`: already on, left with the start date they had (a bulk change never postpones)."""

    on: list[str] = field(default_factory=list)
    off: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.on or self.off)


def skills_select(
    subject: Subject, *, codes: list[str] | None = None, domain: str = "", level: str = ""
) -> list[Skill]:
    """The current (not retired) skills of `subject` named by `codes`, or all of a domain
    (its code), a level, or both. Raises ActivationError for a code, domain or level the
    subject does not have now, so that a change is all or nothing."""
    skills = Skill.objects.filter(subject=subject, retired_in="")
    if codes is not None:
        wanted = set(codes)
        found = list(skills.filter(code__in=wanted))
        missing = wanted - {skill.code for skill in found}
        if missing or not wanted:
            raise ActivationError(", ".join(sorted(missing)) or "geen vaardigheid gekozen")
        return found
    if domain:
        skills = skills.filter(domain__code=domain)
    if level:
        skills = skills.filter(level=level)
    found = list(skills)
    if not (domain or level) or not found:
        raise ActivationError(f"{domain} {level}".strip() or "geen domein of niveau gekozen")
    return found


@transaction.atomic
def class_skills_switch(
    *,
    actor: Account,
    school_class: SchoolClass,
    subject: Subject,
    skills: list[Skill],
    on: bool,
    starts: dt.date | None = None,
    single: bool = False,
) -> Switched:
    """Switch `skills` on (from `starts`, empty: at once) or off for `school_class`. A skill
    already on keeps its start date unless `single` (one skill, its date changed on
    purpose) or the new start is earlier: a domain or level switched on never postpones a
    skill that is open or planned sooner (issue 15 fix, item 2). One audit entry."""
    result = _switch(
        Activation.objects.filter(school_class=school_class),
        lambda skill: Activation(
            skill=skill, school_class=school_class, starts=starts, activated_by=actor
        ),
        skills,
        on,
        starts,
        single,
    )
    if result.changed:
        audit_record(
            school_id=school_class.school_id,
            actor=actor,
            action=Action.LEERPLAN,
            details=_details(subject, result, starts) | {"class": school_class.name},
        )
    return result


@transaction.atomic
def student_skills_switch(
    *,
    actor: Account,
    student: Account,
    subject: Subject,
    skills: list[Skill],
    on: bool,
    starts: dt.date | None = None,
    single: bool = False,
) -> Switched:
    """Open `skills` for one student besides the class's (from `starts`), or close them
    again; start dates of skills already on as in `class_skills_switch`. One audit entry,
    about the student."""
    result = _switch(
        PersonalActivation.objects.filter(student=student),
        lambda skill: PersonalActivation(
            skill=skill, student=student, starts=starts, activated_by=actor
        ),
        skills,
        on,
        starts,
        single,
    )
    if result.changed:
        audit_record(
            school_id=student.school_id,
            actor=actor,
            action=Action.LEERPLAN_STUDENT,
            account=student,
            details=_details(subject, result, starts),
        )
    return result


def _earlier(new: dt.date | None, old: dt.date | None) -> bool:
    """Whether start `new` comes before `old` (None: at once, the earliest of all)."""
    if new == old or old is None:
        return False
    return new is None or new < old


def _switch(
    rows, make, skills: list[Skill], on: bool, starts: dt.date | None, single: bool
) -> Switched:
    result = Switched()
    by_skill = {row.skill_id: row for row in rows.filter(skill__in=skills)}
    if not on:
        result.off = sorted(skill.code for skill in skills if skill.pk in by_skill)
        rows.filter(skill__in=skills).delete()
        return result
    new = [make(skill) for skill in skills if skill.pk not in by_skill]
    had = [skill for skill in skills if skill.pk in by_skill]
    moved = [
        skill
        for skill in had
        if (single and by_skill[skill.pk].starts != starts)
        or _earlier(starts, by_skill[skill.pk].starts)
    ]
    # A second click that arrived first has made the same row: not an error.
    rows.model.objects.bulk_create(new, ignore_conflicts=True)
    rows.filter(skill__in=moved).update(starts=starts)
    result.on = sorted([row.skill.code for row in new] + [skill.code for skill in moved])
    result.kept = sorted({skill.code for skill in had} - set(result.on))
    return result


def _details(subject: Subject, result: Switched, starts: dt.date | None) -> dict:
    return {
        "subject": subject.slug,
        "on": result.on,
        "off": result.off,
        "kept": result.kept,
        "starts": starts.isoformat() if starts else "",
    }
