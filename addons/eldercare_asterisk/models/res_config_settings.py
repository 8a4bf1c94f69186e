from odoo import fields, models

from odoo.addons.eldercare_base.tools import admin_setting


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    eldercare_dial_max_channels = admin_setting(
        fields.Integer,
        "Simultaneous Outbound Calls",
        "eldercare_asterisk.dial_max_channels",
        default=10,
        help="Most automated calls (responder cascade, check-ins) ringing or "
        "talking at once; operators' own calls never wait behind them.",
    )
    eldercare_dial_out_context = admin_setting(
        fields.Char,
        "Outbound Dialplan Context",
        "eldercare_asterisk.dial_out_context",
        default="eldercare-dialer-out",
        help="Asterisk context that reaches a number (extensions_dialer.conf).",
    )
    eldercare_center_callback_number = admin_setting(
        fields.Char,
        "Centre Callback Number",
        "eldercare_asterisk.center_callback_number",
        help="Number read out to the relatives the centre calls (default: the "
        "first service line).",
    )
    eldercare_cascade_ring_seconds = admin_setting(
        fields.Integer,
        "Ring Time per Responder (s)",
        "eldercare_asterisk.cascade_ring_seconds",
        default=30,
    )
    eldercare_cascade_passes = admin_setting(
        fields.Integer,
        "Passes Through the Responders",
        "eldercare_asterisk.cascade_passes",
        default=2,
        help="How often the whole list is called before the supervisors are told "
        "that nobody accepted.",
    )
    eldercare_agi_bind = admin_setting(
        fields.Char,
        "FastAGI Bind Address",
        "eldercare_asterisk.agi_bind",
        default="127.0.0.1",
        help="Address the bridge listens on for FastAGI requests from Asterisk.",
    )
    eldercare_agi_port = admin_setting(
        fields.Integer,
        "FastAGI Port",
        "eldercare_asterisk.agi_port",
        default=4573,
    )
    eldercare_agi_allowed_clients = admin_setting(
        fields.Char,
        "FastAGI Allowed Clients",
        "eldercare_asterisk.agi_allowed_clients",
        default="127.0.0.1",
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
