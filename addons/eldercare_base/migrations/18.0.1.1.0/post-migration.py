"""Medicine notes posted before 18.0.1.1.0 are health history too.

Earlier releases posted "Medicine added/changed/removed" on the elder's chatter
as plain notes, which every internal reader of the elder saw (finance among
them). Since 18.0.1.1.0 they carry the internal subtype *Health Note* that only
care roles read; this moves the old ones under it."""

from odoo import SUPERUSER_ID, api

# the verbs of eldercare.medicine._log_on_elder, in English and Chinese
VERBS = (
    "Medicine added",
    "Medicine changed",
    "Medicine removed",
    "新增常用药",
    "修改常用药",
    "删除常用药",
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    health = env.ref("eldercare_base.mt_elder_health", raise_if_not_found=False)
    if not health:
        return
    cr.execute(
        """
        UPDATE mail_message m
           SET subtype_id = %s
          FROM res_partner p
         WHERE m.model = 'res.partner'
           AND m.res_id = p.id
           AND p.is_elder
           AND m.message_type IN ('comment', 'notification')
           AND m.subtype_id IS DISTINCT FROM %s
           AND m.body ~ %s
        """,
        [health.id, health.id, "^(<p>)?(" + "|".join(VERBS) + "): <b>"],
    )
