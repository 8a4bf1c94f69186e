"""`backup` then `restore` onto an empty PostgreSQL cluster: every table has
the same rows, an attachment kept in the filestore comes back byte for byte,
the manifest names the addons and their versions."""

import base64
import os

import pytest

from tools.ecctl import ops
from tools.ecctl.pg import Cluster, free_port

MAKE_ATTACHMENT = """
import base64
env["ir.config_parameter"].set_param("ir_attachment.location", "file")
elder = env["res.partner"].search([("is_elder", "=", True)], limit=1)
attachment = env["ir.attachment"].create({
    "name": "体检报告.pdf",
    "raw": base64.b64decode(values["payload"]),
    "res_model": "res.partner",
    "res_id": elder.id,
})
result({"id": attachment.id, "store_fname": attachment.store_fname})
"""

READ_ATTACHMENT = """
import base64
attachment = env["ir.attachment"].browse(values["id"])
result(base64.b64encode(attachment.raw).decode())
"""


@pytest.fixture
def empty_cluster(ops_env):
    cluster = Cluster(
        os.path.join(ops_env.workdir, "pg-restore", "data"), free_port(), True
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_backup_restore_round_trip(ops_env, empty_cluster):
    db = ops_env.new_db("backup")
    data_dir = os.path.join(ops_env.workdir, "data-backup")
    payload = os.urandom(50_000)
    made = ops_env.shell(
        db,
        MAKE_ATTACHMENT,
        {"payload": base64.b64encode(payload).decode()},
        data_dir=data_dir,
    )
    stored = os.path.join(ops.filestore_dir(data_dir, db), made["store_fname"])
    assert os.path.exists(stored), "the attachment is not in the filestore"

    dest = os.path.join(ops_env.workdir, "backup")
    manifest = ops.backup(ops_env.pg, db, data_dir, dest, "18.0")
    installed = ops.installed_modules(ops_env.pg, db)
    assert manifest["addons"] == {
        name: version
        for name, version in installed.items()
        if name.startswith("eldercare_")
    }
    assert "eldercare_base" in manifest["addons"]
    assert manifest["filestore_files"] >= 1

    restored_dir = os.path.join(ops_env.workdir, "data-restored")
    ops.restore(empty_cluster, dest, restored_dir)
    source_counts = ops.table_counts(ops_env.pg, db)
    restored_counts = ops.table_counts(empty_cluster, db)
    assert restored_counts == source_counts
    assert source_counts["res_partner"] > 0 and source_counts["ir_attachment"] > 0

    # Odoo on the restored copy reads the attachment back from its filestore
    raw = ops_env.shell(
        db, READ_ATTACHMENT, {"id": made["id"]}, pg=empty_cluster, data_dir=restored_dir
    )
    assert base64.b64decode(raw) == payload

    # a second restore never overwrites what is there
    with pytest.raises(ops.OpsError, match="already exists"):
        ops.restore(empty_cluster, dest, restored_dir)
