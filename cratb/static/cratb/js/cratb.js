/* cratb — progressive enhancement only: every page works without this script.
 * On small screens, fold the main menu behind a « Menu » button that says whether
 * it is open (aria-expanded), and close it with Escape. After a failed submit, move
 * the focus to the error summary. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // After a failed submit, the error summary takes the focus: its links lead to the fields.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("menu");
  if (!toggle || !menu) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 52rem)");

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.setAttribute("data-collapsed", open ? "false" : "true");
  }

  function fit() {
    toggle.hidden = !narrow.matches;
    setOpen(!narrow.matches);
  }

  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
  narrow.addEventListener("change", fit);
  fit();
})();
