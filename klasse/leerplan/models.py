"""Subjects (vakken), the schools' licences for them, and the leerplan: domains with skills
(vaardigheden) shipped as data, switched on for a class or for one student."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from klasse.accounts.models import Account, School, SchoolClass


class Subject(models.Model):
    """One subject of the catalogue shipped with Klasse (`rekenen`: Rekenen/wiskunde)."""

    slug = models.SlugField(_("korte naam"), max_length=30, unique=True)
    name = models.CharField(_("vak"), max_length=100)
    framework = models.CharField(_("referentiekader"), max_length=200, blank=True)
    # The levels in their order, as the framework names them: ["1F", "1S", …] or ["A1", …].
    levels = models.JSONField(default=list)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("vak")
        verbose_name_plural = _("vakken")

    def __str__(self) -> str:
        return self.name


class Licence(models.Model):
    """A school may use a subject from `starts` up to and including `ends` (school's clock);
    `max_students` is what was sold, shown beside the count, never enforced."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="licences")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="licences")
    starts = models.DateField(_("vanaf"))
    ends = models.DateField(_("tot en met"))
    max_students = models.PositiveIntegerField(_("aantal leerlingen"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["subject__sort_order"]
        verbose_name = _("licentie")
        verbose_name_plural = _("licenties")
        constraints = [
            models.UniqueConstraint(fields=["school", "subject"], name="licence_one_per_subject"),
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="licence_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.slug} {self.subject.slug} {self.starts}–{self.ends}"


class Domain(models.Model):
    """A domain of a subject's leerplan (`REK-GET`: Getallen)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(_("domein"), max_length=100)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["subject__sort_order", "sort_order"]
        verbose_name = _("domein")
        verbose_name_plural = _("domeinen")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A skill with a stable code (`REK-GET-1F-01`). A catalogue version that no longer
    lists it retires it (`retired_in`); it is never deleted, so activations survive."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("vaardigheid"), max_length=300)
    level = models.CharField(_("niveau"), max_length=5)
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="skills")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="skills")
    sort_order = models.PositiveIntegerField(default=0)
    added_in = models.CharField(max_length=20)
    retired_in = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("vaardigheid")
        verbose_name_plural = _("vaardigheden")
        indexes = [models.Index(fields=["subject", "retired_in"], name="skill_subject_current")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class _Opened(models.Model):
    """What every switched-on skill records: from when (`starts`, empty: at once), by whom."""

    starts = models.DateField(_("vanaf"), null=True, blank=True)
    activated_by = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Activation(_Opened):
    """A skill switched on for a class, open to its students from `starts` (empty: at once)."""

    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="activations")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="activations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["skill", "school_class"], name="activation_once")
        ]

    def __str__(self) -> str:
        return f"{self.skill.code} → {self.school_class}"


class PersonalActivation(_Opened):
    """A skill opened for one student besides the class's (a personal leerplan)."""

    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="personal_activations")
    student = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="personal_activations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["skill", "student"], name="personal_activation_once")
        ]

    def __str__(self) -> str:
        return f"{self.skill.code} → {self.student.username}"
