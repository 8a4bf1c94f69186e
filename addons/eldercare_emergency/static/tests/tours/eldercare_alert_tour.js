/** @odoo-module **/

import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/**
 * An on-duty operator has the alert dashboard open; an emergency alert is
 * raised for a known elder (RPC, as the telephony bridge would); the popup
 * shows the elder file live (bus), the operator confirms and dispatches the
 * community worker.
 */
registry.category("web_tour.tours").add("eldercare_alert_popup_tour", {
  steps: () => [
    {
      content: "The alert raised from Python (unknown caller) is listed",
      trigger: ".o_eldercare_dashboard .o_ec_alert_row:contains(13011119999)",
    },
    {
      content: "...and popped up when the browser connected to the bus",
      trigger: ".o_eldercare_alert_popup .o_ec_unknown:contains(13011119999)",
    },
    {
      content: "The dashboard is open and the operator is on duty",
      trigger: ".o_eldercare_dashboard .o_ec_duty_toggle.btn-success",
      async run() {
        await rpc("/web/dataset/call_kw/eldercare.alert/create", {
          model: "eldercare.alert",
          method: "create",
          args: [
            {
              caller_number: "13011110088",
              channel: "emergency_line",
              description: "Tour: one-key emergency call",
            },
          ],
          kwargs: {},
        });
      },
    },
    {
      content: "The alert pops up with the elder's file",
      trigger: ".o_eldercare_alert_popup .o_ec_elder_name:contains(Wang Tour)",
    },
    {
      content: "The earlier alert waits behind the new one",
      trigger: ".o_eldercare_alert_popup button:contains(13011119999)",
    },
    {
      content: "Health conditions are shown",
      trigger: ".o_eldercare_alert_popup .o_ec_health:contains(Tour Hypertension)",
    },
    {
      content: "Relatives with phone and work unit are shown",
      trigger:
        ".o_eldercare_alert_popup .o_ec_relatives:contains(Tour Grandson):contains(13900139088):contains(Tour Steel Works)",
    },
    {
      content: "The dashboard lists the new alert",
      trigger:
        ".o_eldercare_dashboard .o_ec_alert_row.o_ec_row_new:contains(Wang Tour)",
    },
    {
      content: "Confirm the alert",
      trigger: ".o_eldercare_alert_popup .o_ec_confirm",
      run: "click",
    },
    {
      content: "The alert is confirmed and taken by the operator",
      trigger:
        ".o_eldercare_alert_popup .o_ec_alert_panel[data-state=confirmed] .o_ec_taken_by_me",
    },
    {
      content: "Dispatch",
      trigger: ".o_eldercare_alert_popup .o_ec_dispatch",
      run: "click",
    },
    {
      content: "The community worker is proposed",
      trigger: ".modal .o_field_widget[name=user_id] input:value(Tour Worker)",
    },
    {
      content: "Confirm the dispatch",
      trigger: ".modal .o_eldercare_dispatch_confirm",
      run: "click",
    },
    {
      content: "The alert is dispatched",
      trigger: ".o_eldercare_alert_popup .o_ec_alert_panel[data-state=dispatched]",
    },
    {
      content: "The dashboard shows it as dispatched",
      trigger:
        ".o_eldercare_dashboard .o_ec_alert_row.o_ec_row_dispatched:contains(Wang Tour)",
    },
    {
      content: "Going off duty from the systray bell",
      trigger: ".o_ec_systray_duty button.o_ec_on_duty",
      run: "click",
    },
    {
      content: "The dashboard switch follows",
      trigger: ".o_eldercare_dashboard .o_ec_duty_toggle.btn-outline-secondary",
    },
    {
      content: "The bell shows off duty",
      trigger: ".o_ec_systray_duty button.o_ec_off_duty",
    },
  ],
});
