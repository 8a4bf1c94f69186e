"""Every translation file loads the way Odoo 18 reads it.

Odoo's PoFileReader needs a ``#. module: <name>`` comment on each entry; a file
with one entry missing it fails to load whole, and the screens fall back to
English. Two branches that append entries at the end of the same file are the
usual way to lose one."""

import glob
import os
import re

import pytest

polib = pytest.importorskip("polib")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PO_FILES = sorted(glob.glob(os.path.join(ROOT, "addons", "*", "i18n", "*.po")))


@pytest.mark.parametrize(
    "path", PO_FILES, ids=[os.path.relpath(p, ROOT) for p in PO_FILES]
)
def test_po_file_loads_in_odoo(path):
    addon = path.split(os.sep)[-3]
    problems = []
    seen = {}
    for entry in polib.pofile(path):
        if entry.obsolete:
            continue
        match = re.match(r"(module[s]?): (\w+)", entry.comment or "")
        if not match:
            problems.append(f"line {entry.linenum}: {entry.msgid[:40]!r} has no module")
        elif match.group(2) != addon:
            problems.append(f"line {entry.linenum}: module {match.group(2)} != {addon}")
        if entry.msgid in seen:
            problems.append(
                f"line {entry.linenum}: {entry.msgid[:40]!r} again (first at "
                f"line {seen[entry.msgid]})"
            )
        seen[entry.msgid] = entry.linenum
        # Odoo reads a code occurrence's line number with int()
        problems += [
            f"line {entry.linenum}: {where} has no line number (':0')"
            for where, line in entry.occurrences
            if where.startswith("code:") and not line
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "path", PO_FILES, ids=[os.path.relpath(p, ROOT) for p in PO_FILES]
)
def test_po_entries_are_in_the_pot(path):
    """Odoo merges a module's ``.po`` with its ``.pot`` (polib ``merge``) when
    the ``.pot`` exists: an entry missing from the ``.pot`` becomes obsolete
    and is never loaded, so that screen shows English to a Chinese user."""
    addon = path.split(os.sep)[-3]
    pot_path = os.path.join(os.path.dirname(path), f"{addon}.pot")
    if not os.path.exists(pot_path):
        return
    template = {(e.msgctxt, e.msgid) for e in polib.pofile(pot_path)}
    missing = [
        f"line {entry.linenum}: {entry.msgid[:60]!r}"
        for entry in polib.pofile(path)
        if not entry.obsolete
        and entry.msgstr
        and (entry.msgctxt, entry.msgid) not in template
    ]
    assert not missing, f"not in {addon}.pot (Odoo drops them):\n" + "\n".join(missing)
