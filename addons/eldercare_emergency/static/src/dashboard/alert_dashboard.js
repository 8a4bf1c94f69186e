/** @odoo-module **/

import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { EldercareAlertPanel } from "../core/alert_panel";
import { formatDuration, serverMillis } from "../core/utils";

/**
 * Operator dashboard: live list of open alerts ordered by urgency, with
 * counters, elapsed time and the feedback deadline countdown.
 */
export class EldercareAlertDashboard extends Component {
  static template = "eldercare_emergency.AlertDashboard";
  static components = { EldercareAlertPanel };
  static props = ["*"];

  setup() {
    this.orm = useService("orm");
    this.action = useService("action");
    this.alertService = useService("eldercare_alert");
    this.state = useState({
      loaded: false,
      alerts: [],
      counters: {},
      rates: {},
      noOperatorOnDuty: false,
      bridges: [],
      isSupervisor: false,
      selectedId: null,
      selected: null,
      now: Date.now(),
    });
    this.duty = useState(this.alertService.state);
    this.clockOffset = 0;
    this.reloadTimer = null;

    onWillStart(() => this.load());

    const tick = browser.setInterval(() => {
      this.state.now = Date.now() + this.clockOffset;
    }, 1000);
    const poll = browser.setInterval(() => this.load(), 30000);
    const onChange = () => this.scheduleReload();
    this.alertService.bus.addEventListener("ALERT_POPUP", onChange);
    this.alertService.bus.addEventListener("ALERT_UPDATED", onChange);
    onWillUnmount(() => {
      browser.clearInterval(tick);
      browser.clearInterval(poll);
      browser.clearTimeout(this.reloadTimer);
      this.alertService.bus.removeEventListener("ALERT_POPUP", onChange);
      this.alertService.bus.removeEventListener("ALERT_UPDATED", onChange);
    });
  }

  scheduleReload() {
    browser.clearTimeout(this.reloadTimer);
    this.reloadTimer = browser.setTimeout(() => this.load(), 150);
  }

  async load() {
    const data = await this.orm.call("eldercare.alert", "get_dashboard_data", []);
    this.clockOffset = serverMillis(data.server_time) - Date.now();
    this.state.now = Date.now() + this.clockOffset;
    this.state.alerts = data.alerts;
    this.state.counters = data.counters;
    this.state.rates = data.rates;
    this.alertService.state.onDuty = data.on_duty;
    this.state.isSupervisor = data.is_supervisor;
    this.state.noOperatorOnDuty = Boolean(data.no_operator_on_duty);
    this.state.bridges = data.bridges || [];
    this.state.loaded = true;
    if (this.state.selectedId) {
      if (data.alerts.some((a) => a.id === this.state.selectedId)) {
        await this.select(this.state.selectedId);
      } else {
        this.state.selectedId = null;
        this.state.selected = null;
      }
    }
  }

  async select(alertId) {
    this.state.selectedId = alertId;
    this.state.selected = await this.orm.call("eldercare.alert", "get_popup_payload", [
      [alertId],
    ]);
  }

  closeDetail() {
    this.state.selectedId = null;
    this.state.selected = null;
  }

  async toggleDuty() {
    await this.alertService.setDuty(!this.duty.onDuty);
  }

  async take(alert) {
    await this.alertService.run(alert.id, "action_take");
    await this.load();
  }

  elapsed(alert) {
    return formatDuration(this.state.now - serverMillis(alert.received_at));
  }

  countdown(alert) {
    return alert.deadline
      ? formatDuration(serverMillis(alert.deadline) - this.state.now)
      : "";
  }

  rowClass(alert) {
    const classes = [`o_ec_row_${alert.state}`];
    if (alert.state === "new") {
      classes.push("o_ec_row_new fw-bold");
    }
    if (this.isLate(alert)) {
      classes.push("table-danger");
    } else if (alert.deadline_state === "warning") {
      classes.push("table-warning");
    }
    if (alert.id === this.state.selectedId) {
      classes.push("table-active");
    }
    return classes.join(" ");
  }

  isLate(alert) {
    return (
      alert.deadline_state === "overdue" ||
      (alert.deadline && serverMillis(alert.deadline) < this.state.now)
    );
  }

  openList(filter) {
    const context = {};
    if (filter) {
      context[`search_default_${filter}`] = 1;
    }
    return this.action.doAction("eldercare_emergency.eldercare_alert_action", {
      additionalContext: context,
    });
  }

  newAlert() {
    return this.action.doAction({
      type: "ir.actions.act_window",
      res_model: "eldercare.alert",
      views: [[false, "form"]],
      target: "current",
      context: { default_channel: "manual" },
    });
  }
}

registry.category("actions").add("eldercare_alert_dashboard", EldercareAlertDashboard);
