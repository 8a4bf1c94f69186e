/** @odoo-module **/

import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { formatDuration, formatServerDateTime, serverMillis } from "./utils";

/**
 * One alert with the whole elder file and the operator's buttons.
 * Used by the global popup and by the dashboard detail pane.
 */
export class EldercareAlertPanel extends Component {
  static template = "eldercare_emergency.AlertPanel";
  static props = {
    payload: Object,
    now: { type: Number, optional: true },
    onClose: { type: Function, optional: true },
    compact: { type: Boolean, optional: true },
  };

  setup() {
    this.alertService = useService("eldercare_alert");
  }

  get alert() {
    return this.props.payload.alert;
  }

  get elder() {
    return this.props.payload.elder;
  }

  get now() {
    return this.props.now || Date.now();
  }

  get takenByOther() {
    const op = this.alert.operator;
    return Boolean(op && op.id !== this.alertService.uid);
  }

  get takenByMe() {
    const op = this.alert.operator;
    return Boolean(op && op.id === this.alertService.uid);
  }

  get elapsed() {
    return formatDuration(this.now - serverMillis(this.alert.received_at));
  }

  get countdown() {
    if (!this.alert.deadline) {
      return "";
    }
    return formatDuration(serverMillis(this.alert.deadline) - this.now);
  }

  get isLate() {
    return (
      this.alert.deadline_state === "overdue" ||
      (this.alert.deadline && serverMillis(this.alert.deadline) < this.now)
    );
  }

  get receivedAt() {
    return formatServerDateTime(this.alert.received_at);
  }

  get genderIcon() {
    return this.elder && this.elder.gender === "female" ? "fa-venus" : "fa-mars";
  }

  isState(...states) {
    return states.includes(this.alert.state);
  }

  get buttons() {
    const a = this.alert;
    const open = ["new", "confirming", "confirmed", "dispatched"].includes(a.state);
    return [
      {
        method: "action_take",
        label: _t("Take"),
        icon: "fa-hand-paper-o",
        cls: "btn-secondary o_ec_take",
        show: open && !a.operator,
      },
      {
        method: "action_call_back",
        label: _t("Call back"),
        icon: "fa-phone",
        cls: "btn-secondary o_ec_call_back",
        show: this.isState("new", "confirming"),
      },
      {
        method: "action_confirm",
        label: _t("Confirm"),
        icon: "fa-check",
        cls: "btn-primary o_ec_confirm",
        show: this.isState("new", "confirming"),
      },
      {
        method: "action_false_alarm_wizard",
        label: _t("False alarm"),
        icon: "fa-ban",
        cls: "btn-secondary o_ec_false_alarm",
        show: this.isState("new", "confirming", "confirmed"),
      },
      {
        method: "action_notify",
        label: _t("Notify relatives"),
        icon: "fa-users",
        cls: "btn-secondary o_ec_notify",
        show: open && Boolean(a.elder_id),
      },
      {
        method: "action_dispatch_wizard",
        label: _t("Dispatch"),
        icon: "fa-ambulance",
        cls: "btn-primary o_ec_dispatch",
        show: this.isState("confirmed", "dispatched"),
      },
    ].filter((b) => b.show);
  }

  async onButton(method) {
    await this.alertService.run(this.alert.id, method);
  }

  onOpen() {
    this.alertService.openForm(this.alert.id);
  }
}
