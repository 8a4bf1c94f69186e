/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * An operator opens the elder files, finds an elder on the kanban, reads the
 * health tab and the family tab of the file.
 */
registry.category("web_tour.tours").add("eldercare_base_elder_file_tour", {
  steps: () => [
    {
      content: "The elder is on the kanban",
      trigger: ".o_kanban_record:contains(游客测试老人)",
      run: "click",
    },
    {
      content: "The file opens on the profile tab with the certified number",
      trigger:
        ".o_form_view .o_field_widget[name=elder_phone_ids]:contains(+8613512340000)",
    },
    {
      content: "Open the health tab",
      trigger: ".o_notebook_headers a[name=health]",
      run: "click",
    },
    {
      content: "Allergies are shown to the operator",
      trigger: ".o_field_widget[name=allergies] textarea:value(青霉素过敏)",
    },
    {
      content: "Open the family tab",
      trigger: ".o_notebook_headers a[name=family]",
      run: "click",
    },
    {
      content: "The emergency contact with his work unit",
      trigger: ".o_field_widget[name=relative_ids] td:contains(北京市第三建筑公司)",
    },
  ],
});

/**
 * A work order lists its eligible providers with their contract prices.
 */
registry.category("web_tour.tours").add("eldercare_base_work_order_tour", {
  steps: () => [
    {
      content: "Eligible providers tab",
      trigger: ".o_notebook_headers a[name=eligible]",
      run: "click",
    },
    {
      content: "The tour provider is offered with its price",
      trigger: ".o_field_widget[name=eligible_line_ids] td:contains(游客测试服务商)",
    },
    {
      content: "Assign the order",
      trigger: ".o_form_view button[name=action_assign]",
      run: "click",
    },
    {
      content: "It is assigned",
      trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Assigned)",
    },
    {
      content: "Back to the list",
      trigger: ".o_breadcrumb .o_back_button, .o_breadcrumb li.breadcrumb-item a",
      run: "click",
    },
    {
      content: "The list shows the order",
      trigger: ".o_list_view .o_data_row:contains(游客测试老人)",
    },
    {
      content: "Switch to the kanban board",
      trigger: ".o_switch_view.o_kanban",
      run: "click",
    },
    {
      content: "The order is in the Assigned column",
      trigger:
        ".o_kanban_group:contains(Assigned) .o_kanban_record:contains(游客测试老人)",
    },
    {
      content: "Switch to the pivot",
      trigger: ".o_switch_view.o_pivot",
      run: "click",
    },
    {
      content: "The pivot renders",
      trigger: ".o_pivot table",
    },
  ],
});
