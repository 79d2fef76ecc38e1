// Progressive enhancement for the report pages. Every page works without
// this file: it adds copy-to-clipboard, remembers nothing on the server,
// and keeps the report list's selection buttons in step with the boxes.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on a non-loopback address has no Clipboard API.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand("copy");
    } finally {
      document.body.removeChild(area);
    }
    return Promise.resolve();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) return;
    var label = button.textContent;
    copyText(button.getAttribute("data-copy")).then(function () {
      button.classList.add("copied");
      button.textContent = button.getAttribute("data-copied") || "✓";
      setTimeout(function () {
        button.classList.remove("copied");
        button.textContent = label;
      }, 1500);
    });
  });

  // Confirmation for forms that ask for it, on top of the server's own
  // confirmation page.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // The report list: enable the export and compare buttons only when the
  // selection suits them, and submit the column choice when it changes.
  function syncSelection(form) {
    var boxes = form.querySelectorAll("input[name=ids]:checked");
    var n = boxes.length;
    form.querySelectorAll("[data-needs]").forEach(function (button) {
      var range = button.getAttribute("data-needs").split("-");
      var low = Number(range[0]), high = Number(range[1] || range[0]);
      button.disabled = n < low || n > high;
    });
    var count = form.querySelector("[data-selected-count]");
    if (count) count.textContent = String(n);
  }
  document.querySelectorAll("form[data-selection]").forEach(function (form) {
    syncSelection(form);
    form.addEventListener("change", function () { syncSelection(form); });
  });
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var form = box.form;
      form.querySelectorAll("input[name=ids]").forEach(function (b) { b.checked = box.checked; });
      syncSelection(form);
    });
  });
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.submit(); });
  });
})();
