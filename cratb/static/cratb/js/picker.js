/* cratb — searchable multi-select for long lists (the ~100 antibacterials).
 * Progressive enhancement: without this script (or Tom Select) the native
 * <select multiple> works as before (Ctrl or Cmd + click). Each select marked
 * data-picker becomes a Tom Select combobox: type a few letters (accents ignored),
 * Enter or click to add, Backspace or the « × » button to remove. Its texts come
 * from data- attributes written by the server, in the page's language. */
(function () {
  "use strict";
  if (typeof window.TomSelect === "undefined") {
    return;
  }
  var selects = document.querySelectorAll("select[multiple][data-picker]");
  Array.prototype.forEach.call(selects, function (select) {
    var describedBy = select.getAttribute("aria-describedby");
    var invalid = select.getAttribute("aria-invalid");
    var picker = new window.TomSelect(select, {
      plugins: {
        remove_button: { title: select.getAttribute("data-remove-label") || "Retirer" },
      },
      maxOptions: null,
      closeAfterSelect: false,
      // After each choice the search is cleared: type the next antibiotic at once.
      clearAfterSelect: true,
      hidePlaceholder: true,
      placeholder: select.getAttribute("data-placeholder") || "",
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = select.getAttribute("data-no-results") || "";
          return div;
        },
      },
    });
    var input = picker.control_input;
    // Tom Select points the <label> at its own input; the native select it keeps (hidden,
    // sent with the form) still needs a name for assistive technologies.
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) {
      if (!label.id) {
        label.id = select.id + "-label";
      }
      select.setAttribute("aria-labelledby", label.id);
    }
    if (describedBy) {
      input.setAttribute("aria-describedby", describedBy);
    }
    if (invalid) {
      input.setAttribute("aria-invalid", invalid);
    }
  });
})();
