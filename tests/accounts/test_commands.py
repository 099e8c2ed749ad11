import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from klasse.accounts.models import Account, Role, School

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_demo_twice_leaves_one_demo_school():
    call_command("demo")
    call_command("demo")
    assert School.objects.filter(slug="demo").count() == 1
    school = School.objects.get(slug="demo")
    students = school.accounts.filter(role=Role.STUDENT)
    assert 50 <= students.count() <= 70
    assert school.accounts.filter(role=Role.TEACHER).count() == 2
    assert school.accounts.filter(role=Role.ADMIN).count() == 1
    assert students.exclude(infix="").exists()
    assert any(
        ch in "ëïüéçöÜÇı"
        for name in students.values_list("first_name", "last_name")
        for ch in "".join(name)
    )


def test_createschool_and_createadmin(monkeypatch, capsys):
    call_command("createschool", "het-lyceum", name="Het Lyceum")
    monkeypatch.setenv("KLASSE_PASSWORD", "een-goed-wachtwoord")
    call_command("createadmin", school="het-lyceum", username="beheer")
    admin = Account.objects.get(username="beheer")
    assert admin.role == Role.ADMIN and admin.school.slug == "het-lyceum"
    assert admin.check_password("een-goed-wachtwoord")


def test_createadmin_refuses_a_weak_password_and_a_taken_name(monkeypatch, school_a, alice):
    monkeypatch.setenv("KLASSE_PASSWORD", "password")
    with pytest.raises(CommandError):
        call_command("createadmin", school="school-a", username="nieuw")
    monkeypatch.setenv("KLASSE_PASSWORD", "een-goed-wachtwoord")
    with pytest.raises(CommandError, match="al in gebruik"):
        call_command("createadmin", school="school-a", username="ALICE")
    with pytest.raises(CommandError, match="Geen school"):
        call_command("createadmin", school="bestaat-niet", username="x")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x7Gq!2vR#pL9m$Zt&8wK@eN4sB^yU1cH*oD6fJ0aQ3iV5rT-_lX+Y",
        "ALLOWED_HOSTS": "klasse.example.nl",
        "KLASSE_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "klasse", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
