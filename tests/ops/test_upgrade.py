"""`upgrade` of a database created by the previous release of the addons
(git tag v18.0.1.0.0, taken from this repository with `git archive`, no
network): the addons are updated to this release's versions, the ones this
release added are installed, and the elders' files and every business table
kept their rows."""

import os
import subprocess
import tarfile

import pytest

from tools.ecctl import odoo as odoo_mod
from tools.ecctl import ops
from tools.ecctl.paths import ADDONS_DIR, ROOT

PREVIOUS_RELEASE = "v18.0.1.0.0"
# the commit that tag names: a clone made without tags still has it (main
# descends from it), so the test never depends on the tag being pushed
PREVIOUS_RELEASE_COMMIT = "3243d715c267a2284644426ab144533a1c2697e6"

SNAPSHOT = """
elders = env["res.partner"].with_context(active_test=False).search(
    [("is_elder", "=", True)]
)
result({
    str(elder.id): [
        elder.name,
        elder.mobile or "",
        elder.allergies or "",
        sorted(elder.elder_phone_ids.mapped("number")),
    ]
    for elder in elders
})
"""

# a record the center made on the old release (not demo data)
MAKE_ELDER = """
elder = env["res.partner"].create({
    "name": "升级测试 刘桂兰",
    "is_elder": True,
    "mobile": "13911112222",
    "allergies": "青霉素过敏",
})
# the old release noted medicines on the chatter as plain notes
env["eldercare.medicine"].create(
    {"partner_id": elder.id, "name": "缬沙坦胶囊", "dose": "80mg"}
)
result(elder.id)
"""

# who reads the medicine note of that elder after the upgrade
HEALTH_NOTES = """
elder = env["res.partner"].search([("name", "=", "升级测试 刘桂兰")])
notes = env["mail.message"].search(
    [
        ("model", "=", "res.partner"),
        ("res_id", "=", elder.id),
        ("body", "ilike", "缬沙坦"),
    ]
)
finance = env["res.users"].create({
    "name": "升级测试 财务",
    "login": "upgrade_finance",
    "groups_id": [(6, 0, [env.ref("eldercare_base.group_eldercare_finance").id])],
})
result({
    "notes": len(notes),
    "subtypes": sorted(set(notes.mapped("subtype_id.name"))),
    "finance_reads": env["mail.message"].with_user(finance).search_count(
        [("id", "in", notes.ids)]
    ),
})
"""

BUSINESS_TABLES = ("res_partner", "account_move", "account_move_line", "res_users")


def previous_release_ref():
    """The previous release: its tag, else the commit the tag names."""
    for ref in (PREVIOUS_RELEASE, PREVIOUS_RELEASE_COMMIT):
        out = subprocess.run(
            [
                "git",
                "-C",
                ROOT,
                "rev-parse",
                "--verify",
                "--quiet",
                f"{ref}^{{commit}}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode == 0:
            return out.stdout.strip()
    pytest.fail(
        f"neither the tag {PREVIOUS_RELEASE} nor its commit "
        f"{PREVIOUS_RELEASE_COMMIT} is in this clone (a shallow clone?)"
    )


def previous_release_addons(workdir):
    release = previous_release_ref()
    archive = os.path.join(workdir, "previous.tar")
    subprocess.run(
        ["git", "-C", ROOT, "archive", "-o", archive, release, "addons"],
        check=True,
    )
    target = os.path.join(workdir, "previous")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return os.path.join(target, "addons")


def test_upgrade_from_previous_release(ops_env):
    if not ops_env.deps_template:
        pytest.skip("EC_ODOO_DEPS_TEMPLATE not set (./bin/eldercare dev-env)")
    old_dir = previous_release_addons(ops_env.workdir)
    old_addons = sorted(
        name
        for name in os.listdir(old_dir)
        if name.startswith("eldercare_")
        and os.path.exists(os.path.join(old_dir, name, "__manifest__.py"))
    )
    old_path = ops_env.addons_path.replace(ADDONS_DIR, old_dir)
    assert old_path != ops_env.addons_path

    db = ops_env.new_db("upgrade", template=ops_env.deps_template)
    old_args = ops_env.odoo_args(addons_path=old_path)
    log = os.path.join(ops_env.workdir, "previous-install.log")
    rc = subprocess.run(
        [
            *ops_env.odoo.cmd,
            *old_args,
            "-d",
            db,
            "-i",
            ",".join(old_addons),
            "--workers",
            "0",
            "--no-http",
            "--stop-after-init",
            "--logfile",
            log,
        ],
        check=False,
        timeout=1800,
    ).returncode
    assert rc == 0, f"the previous release did not install, see {log}"
    new_id = odoo_mod.odoo_shell(ops_env.odoo, old_args, db, MAKE_ELDER)
    before = odoo_mod.odoo_shell(ops_env.odoo, old_args, db, SNAPSHOT)
    assert str(new_id) in before
    counts_before = ops.table_counts(ops_env.pg, db)
    versions_before = ops.installed_modules(ops_env.pg, db)

    log = os.path.join(ops_env.workdir, "upgrade.log")
    update, _install = ops.upgrade(
        ops_env.odoo, ops_env.pg, db, ops_env.odoo_args(), log
    )
    assert update == old_addons

    versions = ops.installed_modules(ops_env.pg, db)
    for addon in odoo_mod.our_addons():
        assert versions.get(addon) == odoo_mod.manifest(addon)["version"], addon
    for addon in old_addons:
        assert versions[addon] >= versions_before[addon], addon

    after = ops_env.shell(db, SNAPSHOT)
    assert {k: after.get(k) for k in before} == before
    counts = ops.table_counts(ops_env.pg, db)
    shrunk = {
        table: (count, counts.get(table, 0))
        for table, count in counts_before.items()
        if (table.startswith("eldercare_") or table in BUSINESS_TABLES)
        and counts.get(table, 0) < count
    }
    assert not shrunk, f"rows lost in the upgrade: {shrunk}"
    # the old release's medicine notes became health history: finance no
    # longer reads them (18.0.1.1.0's migration of eldercare_base)
    health = ops_env.shell(db, HEALTH_NOTES)
    assert health["notes"] == 1, health
    assert health["subtypes"] == ["Health Note"], health
    assert health["finance_reads"] == 0, health
    # this release closes public sign-up, also on an upgraded database
    scope = ops.psql(
        ops_env.pg,
        db,
        "SELECT value FROM ir_config_parameter "
        "WHERE key = 'auth_signup.invitation_scope'",
    )
    assert scope == [["b2b"]]
