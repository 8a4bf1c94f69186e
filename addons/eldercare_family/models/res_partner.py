from odoo import api, fields, models

UPCOMING_LIMIT = 20
PAST_LIMIT = 20


class ResPartner(models.Model):
    _inherit = "res.partner"

    family_show_health = fields.Boolean(
        string="Relatives See Health Details",
        groups="base.group_user",
        help="The elder (or guardian) agreed that relatives logged into the "
        "family portal read the health details of alerts.",
    )

    def _eldercare_family_sections(self, relative):
        """Sections of the family portal page of this elder (sudo record), in
        order: a list of dicts ``{"sequence", "key", "template", "values"}``.

        Glue modules add theirs (alerts, statements, check-ins) by extending
        this method; each section's template gets ``values`` merged into its
        rendering context together with ``elder`` and ``relative``."""
        self.ensure_one()
        return [
            self._eldercare_family_section(
                20,
                "visits",
                "eldercare_family.portal_family_section_visits",
                self._eldercare_family_visits(),
            )
        ]

    @api.model
    def _eldercare_family_section(self, sequence, key, template, values):
        """One section of :meth:`_eldercare_family_sections`."""
        return {
            "sequence": sequence,
            "key": key,
            "template": template,
            "values": values,
        }

    def _eldercare_family_visits(self):
        WorkOrder = self.env["eldercare.work.order"].sudo()
        now = fields.Datetime.now()
        base = [("elder_id", "=", self.id), ("state", "!=", "cancel")]
        finished = ("done", "verified")
        upcoming = WorkOrder.search(
            base + [("date_scheduled", ">=", now), ("state", "not in", finished)],
            order="date_scheduled asc, id",
            limit=UPCOMING_LIMIT,
        )
        past = WorkOrder.search(
            base
            + [("id", "not in", upcoming.ids), "|"]
            + [("date_scheduled", "<", now), ("state", "in", finished)],
            order="date_scheduled desc, id desc",
            limit=PAST_LIMIT,
        )
        states = dict(WorkOrder._fields["state"]._description_selection(self.env))

        def rows(orders):
            return [
                {
                    "name": order.name,
                    "service": order.product_id.display_name,
                    "date": order.date_scheduled,
                    "state": order.state,
                    "state_label": states.get(order.state, order.state),
                    "provider": order.provider_id.name or "",
                }
                for order in orders
            ]

        return {"upcoming_visits": rows(upcoming), "past_visits": rows(past)}
