"""The engine's shortcuts for large files decide exactly what the careful row-by-row code
decides.

`validate_rows` takes most rows through `clean_rows` (checks over whole columns) and
`make_plan` takes unchanged students through a shortcut in `_plan_rows`; each claims to
give what `_validate_row` and `_plan_row` give. These tests compare both on clean rows
with one damaged cell each (the shortcut must notice every kind of damage) and on rows
full of damage.
"""

import gc
import random

import pytest
from django.core.validators import validate_email
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from klasse.accounts.models import Account, Role, SchoolClass
from klasse.accounts.rules import normalise_email
from klasse.imports.core import clean_rows, planning, validation
from klasse.imports.core.mapping import LABELS, suggest_mapping
from klasse.imports.core.pipeline import prepare_import
from klasse.imports.core.planning import Actions, make_plan
from klasse.imports.core.reading import Row, Table
from tests.conftest import make_account, template_csv

HEADERS = list(LABELS.values())
DAMAGE = [
    "",
    " ",
    " x",
    "x ",
    "\u00a0x",
    "x\t",
    "a\nb",
    "\x00",
    "ZoÃ«",
    "Ana?s",
    "Zo\ufffd",
    "Jan\u200b",
    "x" * 31,
    "x" * 51,
    "x" * 151,
    "x" * 300,
    "ÉMILE",
    "ｍａｒｉａ",
    "ß",
    "÷",
    "a÷b",
    "docent",
    "beheerder",
    "Leraar",
    "havo 3",
    "3 HAVO",
    "foo 9",
    "1HA, 2HB",
    "a@b",
    "A@B.NL",
    "a@[1.2.3.4]",
    '"q"@x.nl',
    "a..b@x.nl",
    "user@localhost",
    "ſ@x.nl",
    "a@-x.nl",
    "a@b@c.nl",
    "zoë@school.nl",
    "password",
    "12345678",
    "correct horse",
    "'=SUM(A1)",
]


def clean_row(i: int) -> list[str]:
    return [
        "Vries",
        "de",
        "Zoë",
        f"zdvries{i}",
        "",
        f"zoe.devries.{i}@leerling.example.nl",
        "3HA",
        "havo 3",
        "leerling",
        f"{i:07d}",
        f"https://id.school/LL_{i:04d}",
        "",
    ]


def careful(table: Table, mapping: dict) -> list:
    positions = {fld: table.headers.index(h) for h, fld in mapping.items() if fld}
    columns = {fld: h for h, fld in mapping.items() if fld}
    rows = [
        validation._validate_row(r.number, r.cells, r.extra_cells, positions, columns)
        for r in table.rows
    ]
    keys = [r.key for r in rows]
    validation._mark_duplicates(rows, keys, columns, set(keys))
    if "eck_id" in positions:
        validation._mark_duplicate_eck_ids(rows, columns)
    return rows


@pytest.mark.parametrize("seed", range(4))
def test_validation_shortcut_notices_every_single_damaged_cell(seed):
    rng = random.Random(seed)
    mapping = suggest_mapping(HEADERS)
    for damage in DAMAGE:
        rows = [Row(i + 2, clean_row(i)) for i in range(30)]
        victim = rng.choice(rows)
        victim.cells[rng.randrange(len(HEADERS))] = damage
        table = Table("csv", "utf-8", ";", HEADERS, rows)
        fast = validation.validate_rows(table, mapping)
        assert fast == careful(table, mapping), damage
        assert fast.username_keys == [r.key for r in fast], damage


@pytest.mark.parametrize("seed", range(4))
def test_validation_shortcut_on_rows_full_of_damage(seed):
    rng = random.Random(seed)
    rows = []
    for i in range(300):
        cells = clean_row(i % 250)  # some usernames twice
        for _ in range(rng.choice([0, 0, 1, 3])):
            cells[rng.randrange(len(cells))] = rng.choice(DAMAGE)
        if rng.random() < 0.05:
            cells = cells[: rng.randrange(1, len(cells))]
        rows.append(Row(i + 2, cells, extra_cells=rng.random() < 0.03))
    mapping = suggest_mapping(HEADERS)
    if seed % 2:
        mapping["tussenvoegsel"] = mapping["rol"] = mapping["wachtwoord"] = None
    table = Table("csv", "utf-8", ";", HEADERS, rows)
    fast = validation.validate_rows(table, mapping)
    assert fast == careful(table, mapping)
    assert fast.username_keys == [r.key for r in fast]  # what the plan takes them from
    assert fast.username_set == set(fast.username_keys)


def snapshot(plan) -> tuple:
    rows = [
        (p.row.number, p.action, p.account_id, p.changes, p.restore, p.set_password)
        for p in plan.rows
    ]
    problems = [p.as_dict() for p in plan.problems]
    return rows, problems, plan.archive, plan.active_students, plan.counts


@pytest.mark.parametrize("damaged", [0.4, 0.0])  # 0.0: validation vouches for every row
def test_planning_shortcut_decides_as_plan_row(school_a, monkeypatch, damaged):
    rng = random.Random(7)
    classes = {n: SchoolClass.objects.create(school=school_a, name=n) for n in ("3HA", "3HB")}
    for i in range(60):
        make_account(
            school_a,
            f"zdvries{i}",
            first_name="Zoë",
            infix="de",
            last_name="Vries",
            email=f"zoe.devries.{i}@leerling.example.nl",
            external_id=f"{i:07d}",
            eck_id=f"https://id.school/LL_{i:04d}",
            school_class=classes["3HA"],
            programme_id=planning.Programme.objects.get(code="havo 3").pk,
            role=Role.TEACHER if i % 13 == 0 else Role.STUDENT,
            archived_at=timezone.now() if i % 11 == 0 else None,
        )
    Account.objects.filter(username="zdvries5").update(role=Role.ADMIN)
    cells = [clean_row(i) for i in range(70)]
    for row in cells:
        if rng.random() < damaged:
            field = rng.randrange(len(row))
            row[field] = rng.choice(["", "3HB", "3hb", "vwo 4", "docent", "x@y.nl", "Jan"])
    table = Table("csv", "utf-8", ";", HEADERS, [Row(i + 2, c) for i, c in enumerate(cells)])
    for actions in (
        Actions(add=True, update=True, archive=True, confirm_mass_archive=True),
        Actions(update=True, overwrite_passwords=True),
    ):
        mapping = suggest_mapping(HEADERS)
        mapped = {f for f in mapping.values() if f}
        fast = make_plan(
            validation.validate_rows(table, mapping),
            school=school_a,
            actions=actions,
            mapped_fields=mapped,
        )
        with monkeypatch.context() as patch:
            patch.setattr(
                planning,
                "_plan_rows",
                lambda rows, keys, existing, ctx: [
                    planning._plan_row(r, k, account, ctx)
                    for r, k, account in zip(rows, keys, _matched(keys, existing, ctx), strict=True)
                ],
            )
            slow = make_plan(
                validation.validate_rows(table, mapping),
                school=school_a,
                actions=actions,
                mapped_fields=mapped,
            )
        assert snapshot(fast) == snapshot(slow)
        rows = validation.validate_rows(table, mapping)
        assert rows.clean_students == (damaged == 0.0)
        assert fast.counts["unchanged"] > 10  # the shortcut was taken


def _matched(keys, existing, ctx):
    """The account of each row as the matching found it (ECK iD, stamnummer, username)."""
    if ctx.matches is not None and ctx.matches.accounts is not None:
        return ctx.matches.accounts
    return [existing.get(k) for k in keys]


def test_the_garbage_collector_is_back_after_the_pipeline_with_nothing_frozen(school_a):
    lines = [f"L{i};;K{i};u{i};;k{i}@school.nl;3HB;havo 3;;" for i in range(50)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    prepared = prepare_import(template_csv(*lines), "f.csv", school=school_a, actions=Actions())
    assert prepared.plan.counts["skipped"] == 50
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # the objects the pipeline made are tracked again (in the oldest generation)
    assert gc.is_tracked(prepared.plan.rows[0])


@given(
    st.lists(
        st.text(alphabet="ab.@-+\n é_Z9", min_size=1, max_size=8)
        | st.sampled_from(["a@b.nl", "a.b@c", ".a@b", "a.@b", "a..b@c", "@b", "a@", "a@b@c"]),
        min_size=1,
        max_size=6,
    )
)
def test_addresses_are_plain_together_exactly_when_each_is(addresses):
    each = all(clean_rows._PLAIN_EMAIL.fullmatch(a) for a in addresses)
    together = clean_rows._plain_domains(addresses)
    if together is not None:  # never says plain where one is not
        assert each
        assert together == {a.rpartition("@")[2] for a in addresses}
    if each and not any("\n" in a for a in addresses):  # and misses none without a line end
        assert together is not None


@given(
    st.lists(
        st.from_regex(r"[a-z.\-+]{0,4}@[a-zA-Z0-9.\-_\[\]:]{0,12}", fullmatch=True)
        | st.sampled_from(
            ["a@b.nl", "Jan@School.NL", "x@[127.0.0.1]", "a@b@c.nl", "", "a" * 320 + "@b.nl"]
        )
        | st.text(alphabet='ab.@-"\n é[]', max_size=10),
        min_size=1,
        max_size=8,
    )
)
def test_every_address_outside_doubt_is_one_validate_email_accepts(addresses):
    doubt: set[int] = set()
    cleaned = clean_rows._clean_emails(addresses, doubt)
    for i, address in enumerate(addresses):
        if i in doubt or not address:
            continue
        validate_email(normalise_email(address))  # raises if the shortcut let it pass
        assert cleaned[i] == normalise_email(address)


@pytest.mark.parametrize("seed", range(3))
def test_a_long_column_is_plain_exactly_when_each_address_is(seed):
    """Beyond a sample's reach: one changed address among 500 of two domains."""
    rng = random.Random(seed)
    damage = ["x@elders.nl", "x@elders.nl\n", ".x@b.nl", "x.@b.nl", "x..y@b.nl", "@b.nl"]
    damage += ["x@", "x", "x@b@c.nl", "x y@b.nl", "zoë@b.nl", "x@bé.nl", "x@b.nl.", "x@[1.2.3.4]"]
    for changed in damage:
        addresses = [f"l{i}@{rng.choice(['leerling.nl', 'school.nl'])}" for i in range(500)]
        addresses[rng.randrange(1, 499)] = changed
        each = all(clean_rows._PLAIN_EMAIL.fullmatch(a) for a in addresses)
        found = clean_rows._plain_domains(addresses)
        if each and "\n" not in changed:
            assert found == {a.rpartition("@")[2] for a in addresses}, changed
        else:
            assert found is None, changed
