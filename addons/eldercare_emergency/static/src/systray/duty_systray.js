/** @odoo-module **/

import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

/** Systray bell: shows and switches the operator's duty (alert popups). */
export class EldercareDutySystray extends Component {
  static template = "eldercare_emergency.DutySystray";
  static props = {};

  setup() {
    this.alertService = useService("eldercare_alert");
    this.state = useState(this.alertService.state);
    this.orm = useService("orm");
    this.info = useState({
      isOperator: false,
      isSupervisor: false,
      noOperatorOnDuty: false,
    });
    onWillStart(async () => {
      this.info.isOperator = await user.hasGroup(
        "eldercare_base.group_eldercare_operator"
      );
      this.info.isSupervisor = await user.hasGroup(
        "eldercare_base.group_eldercare_supervisor"
      );
      if (this.info.isOperator && this.state.onDuty === null) {
        this.alertService.loadDuty();
      }
      if (this.info.isSupervisor) {
        // supervisors are warned whenever nobody takes the alarms
        await this.checkDuty();
        this.interval = browser.setInterval(() => this.checkDuty(), 30000);
      }
    });
    onWillUnmount(() => browser.clearInterval(this.interval));
  }

  async checkDuty() {
    const status = await this.orm.call("res.users", "eldercare_duty_status", []);
    this.info.noOperatorOnDuty = Boolean(status.no_operator_on_duty);
  }

  get noOperatorTitle() {
    return _t(
      "No operator on duty: alerts pop up for the supervisors and on-call users"
    );
  }

  get title() {
    return this.state.onDuty
      ? _t("On duty: alerts pop up on your screen (click to go off duty)")
      : _t("Off duty: no alert popups (click to go on duty)");
  }

  toggle() {
    this.alertService.setDuty(!this.state.onDuty);
  }
}

registry.category("systray").add(
  "eldercare_emergency.DutySystray",
  { Component: EldercareDutySystray },
  {
    sequence: 90,
  }
);
