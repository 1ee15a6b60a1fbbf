// Shows only the identifier fields the chosen profession needs. Without
// JavaScript every group stays visible and the server ignores the others.
(function () {
  "use strict";
  var select = document.querySelector("[data-profession-select]");
  if (!select) { return; }
  var groups = {
    physician: ["msp", "physician"],
    nurse: ["msp", "nurse", "college"],
    other: ["other"],
    medical_office_assistant: [],
    corporate_admin: []
  };
  function update() {
    var p = select.value;
    var show = groups[p];
    if (show === undefined) { show = p ? ["college"] : []; }
    var opt = select.options[select.selectedIndex];
    var ineligible = !!(opt && opt.hasAttribute("data-ineligible"));
    if (ineligible) { show = []; }
    document.querySelectorAll("[data-for-profession]").forEach(function (el) {
      el.hidden = show.indexOf(el.getAttribute("data-for-profession")) < 0;
    });
    document.querySelectorAll("[data-ineligible-notice]").forEach(function (el) {
      el.hidden = !ineligible;
    });
  }
  select.addEventListener("change", update);
  update();
})();
