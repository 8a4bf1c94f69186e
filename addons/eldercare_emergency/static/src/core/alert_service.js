/** @odoo-module **/

import { EventBus, reactive } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { isAudioRunning, playAlarm, unlockAudio } from "./alert_sound";

export const OPEN_STATES = ["new", "confirming", "confirmed", "dispatched"];

/**
 * Eldercare alert service: receives the `eldercare_alert_popup` and
 * `eldercare_alert_update` bus notifications on every screen of the web
 * client, keeps the popups to show and tells the dashboard to refresh.
 */
export const eldercareAlertService = {
  dependencies: ["bus_service", "orm", "action", "notification"],

  start(env, { bus_service, orm, action, notification }) {
    const bus = new EventBus();
    const state = reactive({
      popups: [], // [{alert, elder}] newest first
      soundBlocked: false,
      flashing: false,
      onDuty: null, // unknown until loaded
    });

    function findIndex(alertId) {
      return state.popups.findIndex((p) => p.alert.id === alertId);
    }

    async function ring() {
      const played = await playAlarm();
      state.soundBlocked = !played;
      state.flashing = true;
      browser.setTimeout(() => (state.flashing = false), played ? 4000 : 15000);
    }

    function onPopup(payload) {
      if (!payload || !payload.alert) {
        return;
      }
      const index = findIndex(payload.alert.id);
      if (index >= 0) {
        state.popups.splice(index, 1);
      }
      state.popups.unshift(payload);
      ring();
      bus.trigger("ALERT_POPUP", payload);
    }

    function onUpdate(payload) {
      if (!payload || !payload.alert) {
        return;
      }
      const index = findIndex(payload.alert.id);
      if (index >= 0) {
        state.popups[index].alert = payload.alert;
      }
      bus.trigger("ALERT_UPDATED", payload);
    }

    bus_service.subscribe("eldercare_alert_popup", onPopup);
    bus_service.subscribe("eldercare_alert_update", onUpdate);
    bus_service.start();

    // A popup is a bus message: the alarms raised while this page was
    // loading (or before this user came on duty) are fetched once at start,
    // so that a reload never hides an alarm nobody has taken.
    orm.silent.call("eldercare.alert", "get_pending_popups", []).then((payloads) => {
      const missing = payloads.filter((p) => findIndex(p.alert.id) < 0);
      if (!missing.length) {
        return;
      }
      state.popups.push(...missing);
      ring();
      for (const payload of missing) {
        bus.trigger("ALERT_POPUP", payload);
      }
    });

    // Autoplay: unlock the audio context at the first user gesture
    const onGesture = async () => {
      if (await unlockAudio()) {
        state.soundBlocked = false;
        browser.removeEventListener("pointerdown", onGesture, true);
        browser.removeEventListener("keydown", onGesture, true);
      }
    };
    browser.addEventListener("pointerdown", onGesture, true);
    browser.addEventListener("keydown", onGesture, true);

    async function refresh(alertId) {
      const payload = await orm.call("eldercare.alert", "get_popup_payload", [
        [alertId],
      ]);
      const index = findIndex(alertId);
      if (index >= 0) {
        state.popups[index] = payload;
      }
      bus.trigger("ALERT_UPDATED", payload);
      return payload;
    }

    /**
     * Run an action method of eldercare.alert (action_take, action_confirm,
     * action_call_back, action_false_alarm_wizard, action_notify,
     * action_dispatch_wizard...) and follow the action it returns.
     */
    async function run(alertId, method) {
      const result = await orm.call("eldercare.alert", method, [[alertId]]);
      if (result && typeof result === "object" && result.type) {
        await action.doAction(result, {
          onClose: () => refresh(alertId),
        });
      }
      return refresh(alertId);
    }

    function dismiss(alertId) {
      const index = findIndex(alertId);
      if (index >= 0) {
        state.popups.splice(index, 1);
      }
      if (!state.popups.length) {
        state.flashing = false;
      }
    }

    function openForm(alertId) {
      dismiss(alertId);
      return action.doAction({
        type: "ir.actions.act_window",
        res_model: "eldercare.alert",
        res_id: alertId,
        views: [[false, "form"]],
        target: "current",
      });
    }

    async function loadDuty() {
      const [record] = await orm.read(
        "res.users",
        [user.userId],
        ["eldercare_on_duty"]
      );
      state.onDuty = Boolean(record && record.eldercare_on_duty);
      return state.onDuty;
    }

    async function setDuty(value) {
      state.onDuty = await orm.call("res.users", "eldercare_set_on_duty", [value]);
      notification.add(
        state.onDuty
          ? _t("You are on duty: new alerts pop up on your screen.")
          : _t("You are off duty: no alert popups."),
        { type: state.onDuty ? "success" : "warning" }
      );
      return state.onDuty;
    }

    async function enableSound() {
      const ok = (await unlockAudio()) || isAudioRunning();
      state.soundBlocked = !ok;
      if (!ok) {
        notification.add(_t("The browser still blocks sound."), {
          type: "warning",
        });
      }
    }

    return {
      bus,
      state,
      run,
      refresh,
      dismiss,
      openForm,
      enableSound,
      loadDuty,
      setDuty,
      ring,
      get uid() {
        return user.userId;
      },
    };
  },
};

registry.category("services").add("eldercare_alert", eldercareAlertService);
