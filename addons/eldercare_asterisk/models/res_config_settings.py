from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    eldercare_ami_host = fields.Char(
        "AMI Host",
        config_parameter="eldercare_asterisk.ami_host",
        default="127.0.0.1",
        groups="base.group_system",
    )
    eldercare_ami_port = fields.Integer(
        "AMI Port",
        config_parameter="eldercare_asterisk.ami_port",
        default=5038,
        groups="base.group_system",
    )
    eldercare_ami_user = fields.Char(
        "AMI User",
        config_parameter="eldercare_asterisk.ami_user",
        default="odoo",
        groups="base.group_system",
    )
    eldercare_ami_secret = fields.Char(
        "AMI Secret",
        config_parameter="eldercare_asterisk.ami_secret",
        groups="base.group_system",
    )
    eldercare_agi_bind = fields.Char(
        "FastAGI Bind Address",
        config_parameter="eldercare_asterisk.agi_bind",
        default="127.0.0.1",
        groups="base.group_system",
        help="Address the bridge listens on for FastAGI requests from Asterisk.",
    )
    eldercare_agi_port = fields.Integer(
        "FastAGI Port",
        config_parameter="eldercare_asterisk.agi_port",
        default=4573,
        groups="base.group_system",
    )
    eldercare_agi_allowed_clients = fields.Char(
        "FastAGI Allowed Clients",
        config_parameter="eldercare_asterisk.agi_allowed_clients",
        default="127.0.0.1",
        groups="base.group_system",
        help="Comma separated addresses of the Asterisk servers allowed to ask the "
        "bridge for routes.",
    )
    eldercare_outbound_patterns = fields.Text(
        related="company_id.eldercare_outbound_patterns",
        readonly=False,
        groups="base.group_system",
    )
    eldercare_pbx_line_count = fields.Integer(
        compute="_compute_eldercare_pbx_line_count"
    )

    def _compute_eldercare_pbx_line_count(self):
        count = self.env["eldercare.pbx.line"].sudo().search_count([])
        for settings in self:
            settings.eldercare_pbx_line_count = count

    def action_eldercare_pbx_test(self):
        self.execute()
        return self.env["eldercare.pbx"].action_test_connection()

    def action_eldercare_bridge_api_key(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "eldercare.bridge.key.wizard",
            "view_mode": "form",
            "target": "new",
        }
