/** @odoo-module **/

import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/**
 * An emergency alert's popup is on the operator's screen; the operator
 * presses Notify (the alert service's run(), as the popup's button does): the
 * responder calls appear in the alert panel (alert.cascade of the payload;
 * the same summary rides every eldercare_alert_update bus notification --
 * the websocket is not served in this test mode, so the popup is handed to
 * the service directly, like the bus would).
 */
let alertId = null;

function alertService() {
  return odoo.__WOWL_DEBUG__.root.env.services.eldercare_alert;
}

registry.category("web_tour.tours").add("eldercare_cascade_panel_tour", {
  steps: () => [
    {
      content: "The dashboard is open and the operator is on duty",
      trigger: ".o_eldercare_dashboard .o_ec_duty_toggle.btn-success",
      async run() {
        alertId = await rpc("/web/dataset/call_kw/eldercare.alert/create", {
          model: "eldercare.alert",
          method: "create",
          args: [{ caller_number: "13900139091", channel: "emergency_line" }],
          kwargs: {},
        });
        const payload = await rpc(
          "/web/dataset/call_kw/eldercare.alert/get_popup_payload",
          {
            model: "eldercare.alert",
            method: "get_popup_payload",
            args: [[alertId]],
            kwargs: {},
          }
        );
        alertService().state.popups.unshift(payload);
      },
    },
    {
      content: "The alert pops up with the elder's file",
      trigger: ".o_eldercare_alert_popup .o_ec_elder_name:contains(Tour Cascade Elder)",
      async run() {
        await alertService().run(alertId, "action_notify");
      },
    },
    {
      content: "The first responder's call is shown live, ringing",
      trigger:
        ".o_eldercare_alert_popup .o_ec_cascade_attempts tr[data-result=calling]:contains(Tour Cascade Daughter):contains(13900139092)",
    },
  ],
});
