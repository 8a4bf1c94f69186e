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
    assert not problems, "\n".join(problems)
