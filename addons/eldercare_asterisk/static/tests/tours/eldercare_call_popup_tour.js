/** @odoo-module **/

import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/**
 * The operator's phone rings for a hotline call of a known elder: the elder
 * file pops up, the operator opens it and calls the elder back with the Call
 * button (AMI Originate, fake manager port). The websocket is off in test
 * mode, so the tour hands the payload the bus would carry to the popup service.
 */
registry.category("web_tour.tours").add("eldercare_call_popup_tour", {
  steps: () => [
    {
      content: "The operator's phone rings (bus payload handed to the popup service)",
      trigger: ".o_main_navbar",
      async run() {
        const ids = await rpc("/web/dataset/call_kw/eldercare.call/search", {
          model: "eldercare.call",
          method: "search",
          args: [[["linkedid", "=", "tour-call-1"]]],
          kwargs: {},
        });
        const payload = await rpc(
          "/web/dataset/call_kw/eldercare.call/eldercare_popup_payload",
          {
            model: "eldercare.call",
            method: "eldercare_popup_payload",
            args: [ids],
            kwargs: {},
          }
        );
        odoo.__WOWL_DEBUG__.root.env.services.eldercare_call_popup.show(payload);
      },
    },
    {
      content: "The incoming call shows the elder before answering",
      trigger: ".o_notification:has(.o_notification_title:contains(Tour Zhao Popup))",
    },
    {
      content: "Health and relatives are in the popup",
      trigger:
        ".o_notification .o_notification_content:contains(Tour Popup Son):contains(13900139077)",
    },
    {
      content: "Open the elder file from the popup",
      trigger:
        ".o_notification .o_notification_buttons button:contains(Open the elder file)",
      run: "click",
    },
    {
      content: "The elder form is open",
      trigger:
        ".o_form_view .o_field_widget[name=name]:contains(Tour Zhao Popup), .o_form_view .o_field_widget[name=name] input:value(Tour Zhao Popup)",
    },
    {
      content: "Call the elder from the form header",
      trigger: ".o_form_view .o_form_statusbar button[name=action_eldercare_call]",
      run: "click",
    },
    {
      content: "The operator is told that their own phone rings first",
      trigger:
        ".o_notification .o_notification_title:contains(Calling Tour Zhao Popup)",
    },
  ],
});
