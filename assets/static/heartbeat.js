// Heartbeat helpers: Copy buttons for ping URLs and snippets, and the live "next expected
// pings" preview of the heartbeat form. Without JavaScript the buttons stay hidden, the
// values can be selected by hand, and the preview is rendered by the server on each submit.
(function () {
  "use strict";

  // --- Copy buttons: <button data-copy="element-id"> ---
  function selectContents(el) {
    if (el.select) {
      el.focus();
      el.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function flash(button, label) {
    if (!button.hasAttribute("data-label")) button.setAttribute("data-label", button.textContent);
    button.textContent = label;
    clearTimeout(button._copyTimer);
    button._copyTimer = setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
    }, 2000);
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) return;
    var text = target.value !== undefined ? target.value : target.textContent;
    var failed = function () {
      // No clipboard (plain HTTP, permission refused): select it for Ctrl+C.
      selectContents(target);
      flash(button, button.getAttribute("data-copy-failed"));
    };
    if (!navigator.clipboard || !window.isSecureContext) {
      failed();
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      button.setAttribute("data-copied-at", String(Date.now()));
      flash(button, button.getAttribute("data-copied"));
    }, failed);
  }

  // Delegated, so buttons in parts of the page that live.js swaps keep working.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button[data-copy]");
    if (button) {
      e.preventDefault();
      copy(button);
    }
  });
  document.querySelectorAll("button[data-copy][hidden]").forEach(function (b) {
    b.hidden = false;
  });

  // --- Schedule preview: <section data-schedule-preview="/admin/monitors/schedule-preview"> ---
  var box = document.querySelector("[data-schedule-preview]");
  if (!box) return;
  var form = box.closest("form");
  var fields = ["schedule", "period", "cron", "timezone", "grace"];
  var timer = null;
  var seq = 0;

  function refresh() {
    var params = new URLSearchParams();
    var data = new FormData(form);
    fields.forEach(function (name) {
      params.set(name, data.get(name) || "");
    });
    var mine = ++seq;
    box.setAttribute("aria-busy", "true");
    fetch(box.getAttribute("data-schedule-preview") + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (res) {
        if (!res.ok) throw new Error("preview: HTTP " + res.status);
        return res.text();
      })
      .then(function (html) {
        if (mine !== seq) return; // an answer to an older edit arrived late
        box.innerHTML = html; // escaped by templ on the server
        box.setAttribute("data-preview-seq", String(mine));
      })
      .catch(function (err) {
        console.warn("statusthing:", err);
      })
      .finally(function () {
        if (mine === seq) box.removeAttribute("aria-busy");
      });
  }

  function changed(e) {
    if (!e.target.name || fields.indexOf(e.target.name) < 0) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
