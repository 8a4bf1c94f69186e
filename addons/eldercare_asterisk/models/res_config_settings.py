from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    eldercare_dial_max_channels = fields.Integer(
        "Simultaneous Outbound Calls",
        config_parameter="eldercare_asterisk.dial_max_channels",
        default=10,
        groups="base.group_system",
        help="Most automated calls (responder cascade, check-ins) ringing or "
        "talking at once; operators' own calls never wait behind them.",
    )
    eldercare_dial_out_context = fields.Char(
        "Outbound Dialplan Context",
        config_parameter="eldercare_asterisk.dial_out_context",
        default="eldercare-dialer-out",
        groups="base.group_system",
        help="Asterisk context that reaches a number (extensions_dialer.conf).",
    )
    eldercare_center_callback_number = fields.Char(
        "Centre Callback Number",
        config_parameter="eldercare_asterisk.center_callback_number",
        groups="base.group_system",
        help="Number read out to the relatives the centre calls (default: the "
        "first service line).",
    )
    eldercare_cascade_ring_seconds = fields.Integer(
        "Ring Time per Responder (s)",
        config_parameter="eldercare_asterisk.cascade_ring_seconds",
        default=30,
        groups="base.group_system",
    )
    eldercare_cascade_passes = fields.Integer(
        "Passes Through the Responders",
        config_parameter="eldercare_asterisk.cascade_passes",
        default=2,
        groups="base.group_system",
        help="How often the whole list is called before the supervisors are told "
        "that nobody accepted.",
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
