"""Which account of the school each row of a file is: on ECK iD, then on the
administration's key, then on username.

The order is the import contract's ("Matching"): an ECK iD is the pupil's or teacher's for
good (the ECK iD standard, Edu-K), the administration's key (stamnummer, leerlingnummer,
EDEXML `key`) stays while a username may be changed in the administration, and the
username is what files without either have always been matched on. A row found on its ECK
iD or key under another username is an *update* of that account's username, not a new
account beside an archived one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import ne

from .group_plans import kind_problem
from .problems import Problem
from .school_accounts import ExistingAccount, eck_ids_taken, full_name
from .texts import say
from .valid_rows import ValidRow, column_of


@dataclass
class Matches:
    """`accounts[i]`: the account row i is (None: none, a new account; `accounts` None:
    each row is the account of its username, nothing else was found). `moved`: the rows
    found on ECK iD or key whose username is another's, by index; `claimed_twice`: the
    rows whose account another row is too (both are errors)."""

    accounts: list[ExistingAccount | None] | None = None
    moved: dict[int, ExistingAccount] = field(default_factory=dict)
    claimed_twice: dict[int, list[int]] = field(default_factory=dict)
    # The file's ECK iDs that no account of the school has (another school's may).
    new_eck_ids: list[str] = field(default_factory=list)


def match_accounts(
    rows: list[ValidRow],
    keys: list[str],
    existing: dict[str, ExistingAccount],
    mapped: set[str],
) -> Matches:
    """The account of each row. `keys` are the rows' username keys, `existing` the
    school's accounts by username key (`load_existing`), `mapped` the mapped fields.

    1. ECK iD: a filled cell that an account of the school has.
    2. Key: a filled stamnummer that exactly one account of the school has, of the row's
       role (a teacher's code and a pupil's number are different series), unless row and
       account both have an ECK iD and they differ (two people).
    3. Username, as always.
    Without an ECK iD or stamnummer column this is step 3 alone, in one C-level pass."""
    eck_ids = column_of(rows, "eck_id") if "eck_id" in mapped else None
    numbers = column_of(rows, "external_id") if "external_id" in mapped else None
    if not any(eck_ids or ()) and not any(numbers or ()):
        return Matches()
    by_name = list(map(existing.get, keys))
    count = len(by_name)
    moved: dict[int, ExistingAccount] = {}
    new_eck_ids: list[str] = []
    # Most rows carry the ECK iD and stamnummer of their username's account: compared in
    # C-level passes, only the other rows are looked up (getattr(None, …, "") for none).
    theirs = list(map(getattr, by_name, repeat("eck_id"), repeat("")))
    if eck_ids and any(eck_ids):
        differ = [i for i in compress(range(count), map(ne, eck_ids, theirs)) if eck_ids[i]]
        if differ:
            on_eck = {a.eck_id: a for a in existing.values() if a.eck_id}
            for index in differ:
                if (account := on_eck.get(eck_ids[index])) is not None:
                    moved[index] = account
                else:
                    new_eck_ids.append(eck_ids[index])
    if numbers and any(numbers):
        known = map(getattr, by_name, repeat("external_id"), repeat(""))
        differ = [i for i in compress(range(count), map(ne, numbers, known)) if numbers[i]]
        on_key = _unique_keys(existing.values()) if differ else {}
        for index in differ:
            eck_id = eck_ids[index] if eck_ids else ""
            if index in moved or (eck_id and eck_id == theirs[index]):
                continue  # the ECK iD decided
            account = on_key.get(numbers[index])
            if account is None or account is by_name[index] or account.role != rows[index].role:
                continue
            if eck_id and account.eck_id and account.eck_id != eck_id:
                continue  # two people
            moved[index] = account
    if not moved:
        return Matches(new_eck_ids=new_eck_ids)
    accounts = [moved.get(index, account) for index, account in enumerate(by_name)]
    return Matches(accounts, moved, _claimed_twice(accounts), new_eck_ids)


def _unique_keys(accounts) -> dict[str, ExistingAccount]:
    """Stamnummer → account, for the stamnummers that exactly one account has."""
    pairs = [(a.external_id, a) for a in accounts if a.external_id]
    found = dict(pairs)
    if len(found) < len(pairs):
        for number, count in Counter(number for number, _account in pairs).items():
            if count > 1:
                del found[number]
    return found


def _claimed_twice(accounts: list[ExistingAccount | None]) -> dict[int, list[int]]:
    """Row index → the indexes of every row with the same account, where there are more."""
    rows_of: dict[int, list[int]] = {}
    for index, account in enumerate(accounts):
        if account is not None:
            rows_of.setdefault(account.id, []).append(index)
    return {i: same for same in rows_of.values() if len(same) > 1 for i in same}


def identity_facts(
    rows: list[ValidRow],
    existing: dict[str, ExistingAccount],
    matches: Matches,
    mapped: set[str],
    school_id: int,
) -> dict:
    """What the plan's context needs of the matching: `moved_ids` (accounts found under
    another username), `claimed_twice` (by row number: the numbers of every row with the
    same account) and `taken_eck_ids` (ECK iDs that an ACTIVE account of another school
    has; asked for the file's ECK iDs that no account of this school has, and for those of
    the school's archived accounts, which a row would restore)."""
    facts: dict = {"matches": matches}
    if matches.moved:
        facts["moved_ids"] = {account.id for account in matches.moved.values()}
        facts["school_accounts"] = existing
        facts["claimed_twice"] = {
            rows[index].number: [rows[i].number for i in same]
            for index, same in matches.claimed_twice.items()
        }
    asked = set(matches.new_eck_ids)
    asked.update(a.eck_id for a in existing.values() if a.eck_id and a.archived)
    if asked:
        facts["taken_eck_ids"] = eck_ids_taken(sorted(asked), school_id)
    return facts


def identity_problems(row: ValidRow, account: ExistingAccount | None, ctx):
    """The errors of a row that depend on whom it matched: one account for two rows
    (`duplicate_in_file`), an ECK iD of another school (`eck_id_taken`, which names
    nothing of that school), a class that is a group or a group that is a class."""
    if same := ctx.claimed_twice.get(row.number):
        numbers = ", ".join(map(str, same))
        _error(
            row,
            None,
            "duplicate_in_file",
            say(
                "Rij %(row)s: de rijen %(rows)s horen bij hetzelfde account (op ECK iD, "
                "stamnummer of gebruikersnaam). Houd één rij per leerling of docent over.",
                row=row.number,
                rows=numbers,
            ),
        )
    if ctx.taken_eck_ids:
        _eck_id_taken(row, account, ctx.taken_eck_ids)
    # (kinds holds the school's groups: most schools have none, nor a lesgroepen column)
    if ("groups" in ctx.mapped or ctx.kinds) and (problem := kind_problem(row, ctx)):
        row.add_error(problem)


def _eck_id_taken(row: ValidRow, account: ExistingAccount | None, taken: set[str]) -> None:
    """`eck_id_taken` when the row would make an account active with an ECK iD that an
    active account of another school has: a new account, an account that gets this ECK iD,
    or an archived account of the school that the row would restore (it stays archived)."""
    eck_id = row.values.get("eck_id", "")
    restoring = account is not None and account.archived
    if eck_id and eck_id in taken and (account is None or account.eck_id != eck_id or restoring):
        message = say(
            "Rij %(row)s: het ECK iD van deze rij hoort al bij een actief account op een "
            "andere school. Controleer in je leerlingadministratie of het ECK iD klopt. Is "
            "de leerling van school gewisseld? Dan lukt dit zodra de vorige school het "
            "account archiveert (meestal aan het eind van het schooljaar).",
            row=row.number,
        )
    elif restoring and account.eck_id in taken:
        message = say(
            "Rij %(row)s: dit gearchiveerde account kan niet worden teruggezet: zijn ECK iD "
            "hoort nu bij een actief account op een andere school (de leerling is van school "
            "gewisseld). Het blijft gearchiveerd; laat de rij weg of controleer het ECK iD "
            "in je leerlingadministratie.",
            row=row.number,
        )
    else:
        return
    _error(row, "eck_id", "eck_id_taken", message)


def username_free(row: ValidRow, key: str, account: ExistingAccount, ctx) -> bool:
    """Whether an account found on ECK iD or key may take the row's new username: not
    when another account of the school has it, nor an account elsewhere on the platform
    (`username_taken`)."""
    other = ctx.school_accounts.get(key)
    if other is not None and other.id != account.id:
        where = say("bij een ander account van je school (%(name)s)", name=full_name(other))
    elif key in ctx.taken:
        where = say("op het platform")
    else:
        return True
    _error(
        row,
        "username",
        "username_taken",
        say(
            "Rij %(row)s: dit is het account '%(account)s' (herkend aan ECK iD of "
            "stamnummer), maar de nieuwe gebruikersnaam '%(username)s' is al in gebruik "
            "%(where)s. Kies een andere gebruikersnaam.",
            row=row.number,
            account=account.username,
            username=row.username,
            where=where,
        ),
    )
    return False


def _error(row: ValidRow, fld: str | None, code: str, message: str) -> None:
    row.add_error(Problem(row.number, None, fld, "error", code, message))
