/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
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
        this.info = useState({ isOperator: false });
        onWillStart(async () => {
            this.info.isOperator = await user.hasGroup(
                "eldercare_base.group_eldercare_operator"
            );
            if (this.info.isOperator && this.state.onDuty === null) {
                this.alertService.loadDuty();
            }
        });
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

registry
    .category("systray")
    .add("eldercare_emergency.DutySystray", { Component: EldercareDutySystray }, {
        sequence: 90,
    });
