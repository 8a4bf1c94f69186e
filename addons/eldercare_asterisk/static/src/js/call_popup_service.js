/** @odoo-module */

import { markup } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { escape } from "@web/core/utils/strings";

/**
 * Shows the elder's file while the operator's phone rings (bus notification
 * "eldercare_call_popup" sent by eldercare.call._send_operator_popup).
 * Emergency calls use the alert popup of eldercare_emergency instead.
 */
export const eldercareCallPopupService = {
  dependencies: ["bus_service", "notification", "action"],
  start(env, { bus_service, notification, action }) {
    function show(payload) {
      const elder = payload.elder || {};
      const call = payload.call || {};
      const lines = [];
      if (elder.age) {
        lines.push(_t("Age: %s", elder.age));
      }
      if (elder.address) {
        lines.push(elder.address);
      }
      const conditions = (elder.health_conditions || [])
        .map((c) => (typeof c === "string" ? c : c.name))
        .filter(Boolean);
      if (conditions.length) {
        lines.push(_t("Health: %s", conditions.join(", ")));
      }
      const relatives = (elder.relatives || [])
        .slice(0, 2)
        .map((r) => `${r.name || ""} ${r.relation || ""} ${r.phone || ""}`.trim());
      if (relatives.length) {
        lines.push(_t("Relatives: %s", relatives.join(" / ")));
      }
      if (call.caller_number) {
        lines.push(_t("Calling from %s", call.caller_number));
      }
      const close = notification.add(
        lines.length
          ? markup(lines.map((line) => escape(line)).join("<br/>"))
          : _t("Incoming call"),
        {
          title: _t("Incoming call: %s", elder.name || call.caller_number || ""),
          type: "info",
          sticky: true,
          buttons: elder.id
            ? [
                {
                  name: _t("Open the elder file"),
                  primary: true,
                  onClick: () => {
                    close();
                    action.doAction(
                      payload.elder_action || {
                        type: "ir.actions.act_window",
                        res_model: "res.partner",
                        res_id: elder.id,
                        views: [[false, "form"]],
                      }
                    );
                  },
                },
              ]
            : [],
        }
      );
      return close;
    }
    bus_service.subscribe("eldercare_call_popup", (payload) => show(payload));
    bus_service.start();
    return { show };
  },
};

registry.category("services").add("eldercare_call_popup", eldercareCallPopupService);
