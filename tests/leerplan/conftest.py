import datetime as dt

import pytest

from klasse.leerplan.licences import today
from klasse.leerplan.models import Licence, Subject


def grant(school, slug: str, *, starts: dt.date | None = None, ends: dt.date | None = None):
    return Licence.objects.create(
        school=school,
        subject=Subject.objects.get(slug=slug),
        starts=starts or today() - dt.timedelta(days=30),
        ends=ends or today() + dt.timedelta(days=300),
    )


@pytest.fixture
def rekenen(school_a):
    """School A holds a licence for Rekenen/wiskunde that holds today."""
    grant(school_a, "rekenen")
    return Subject.objects.get(slug="rekenen")
