/** @odoo-module **/

import { Component, onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { EldercareAlertPanel } from "../core/alert_panel";

/**
 * Global popup of new emergency alerts, mounted in the web client's main
 * components so that it shows on any screen.
 */
export class EldercareAlertPopup extends Component {
  static template = "eldercare_emergency.AlertPopup";
  static components = { EldercareAlertPanel };
  static props = {};

  setup() {
    this.alertService = useService("eldercare_alert");
    this.state = useState(this.alertService.state);
    this.clock = useState({ now: Date.now() });
    const interval = browser.setInterval(() => (this.clock.now = Date.now()), 1000);
    onWillUnmount(() => browser.clearInterval(interval));
  }

  get current() {
    return this.state.popups[0];
  }

  get others() {
    return this.state.popups.slice(1);
  }

  show(alertId) {
    const index = this.state.popups.findIndex((p) => p.alert.id === alertId);
    if (index > 0) {
      const [payload] = this.state.popups.splice(index, 1);
      this.state.popups.unshift(payload);
    }
  }

  dismiss() {
    this.alertService.dismiss(this.current.alert.id);
  }

  enableSound() {
    this.alertService.enableSound();
  }
}

registry.category("main_components").add("eldercare_emergency.AlertPopup", {
  Component: EldercareAlertPopup,
});
