// gridbook page behaviour that HTML alone lacks: the user menu (a
// <details>) closes on Escape and on a click outside it, as menus do.
(function () {
  "use strict";
  function openMenus() {
    return document.querySelectorAll("details.usermenu[open]");
  }
  document.addEventListener("click", function (e) {
    openMenus().forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    openMenus().forEach(function (d) {
      d.removeAttribute("open");
      d.querySelector("summary").focus();
    });
  });
})();
