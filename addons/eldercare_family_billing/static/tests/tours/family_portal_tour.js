import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("eldercare_family_portal", {
  url: "/my",
  steps: () => [
    {
      content: "The My Elders entry appears once its counter is loaded",
      trigger: ".o_portal_index_card a[href='/my/family']",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The page of our elder opens directly",
      trigger: ".o_eldercare_family_elder h3:contains(张秀英)",
    },
    {
      content: "Her alert, with its outcome",
      trigger: ".o_eldercare_family_alert:contains(社区医生上门)",
    },
    {
      content: "Her upcoming visit",
      trigger: ".o_eldercare_family_visit:contains(Nanny)",
    },
    {
      content: "Her statement with its PDF",
      trigger: ".o_eldercare_family_statement:contains(2026-11) a[href$='/pdf']",
    },
    {
      content: "Nothing of another elder",
      trigger: ".o_eldercare_family_elder:not(:contains(李德明))",
    },
    {
      content: "Accept the call-out of the open alert",
      trigger: ".o_eldercare_family_alert button[type=submit]",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The center is told",
      trigger: ".alert-success:contains(on the way)",
    },
  ],
});
