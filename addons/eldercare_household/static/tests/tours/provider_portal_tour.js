import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("eldercare_household_provider_portal", {
  url: "/my",
  steps: () => [
    {
      content: "The Work Orders entry appears once its counter is loaded",
      trigger: ".o_portal_index_card a[href='/my/work_orders']",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Open the work order waiting for us",
      trigger: ".o_portal_my_doc_table a[href^='/my/work_orders/']",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Only the job facts are shown",
      trigger: ".o_eldercare_work_order:contains('幸福路12号')",
    },
    {
      content: "Accept it",
      trigger: "button[name='accept']",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Start the work",
      trigger: "button[name='start']",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Actual quantity",
      trigger: "input[name='quantity']",
      run: "edit 2",
    },
    {
      content: "A note for the center",
      trigger: "textarea[name='note']",
      run: "edit 已更换锁芯，老人试过钥匙",
    },
    {
      content: "Finish",
      trigger: "button[name='finish']",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The order is done",
      trigger: ".o_eldercare_work_order .alert-success",
    },
  ],
});
