// Live updates over Server-Sent Events. Pages work without JavaScript; with it, elements
// marked data-monitor-id follow their monitor's status without a reload.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource) return;

  function update(m) {
    document.querySelectorAll('[data-monitor-id="' + m.id + '"]').forEach(function (el) {
      if (m.deleted) {
        el.remove();
        return;
      }
      el.querySelectorAll("[data-live-status]").forEach(function (s) {
        s.setAttribute("data-status", m.status);
      });
      el.querySelectorAll("[data-field]").forEach(function (f) {
        var v = m[f.getAttribute("data-field")];
        if (v !== undefined) f.textContent = v;
      });
    });
    var results = document.querySelector('[data-results-for="' + m.id + '"]');
    if (results && m.result) {
      var tr = document.createElement("tr");
      [m.result.time, m.result.outcome_label, m.result.duration, m.result.code, m.result.message].forEach(function (text, i) {
        var td = document.createElement("td");
        if (i === 1) {
          var s = document.createElement("span");
          s.className = "status";
          s.setAttribute("data-status", m.result.outcome);
          s.textContent = text;
          td.appendChild(s);
        } else {
          td.textContent = text;
        }
        tr.appendChild(td);
      });
      results.insertBefore(tr, results.firstChild);
      document.querySelectorAll("[data-empty-results]").forEach(function (p) {
        p.remove();
      });
      while (results.children.length > 50) results.removeChild(results.lastChild);
    }
  }

  var source = new EventSource(root.getAttribute("data-live"));
  source.addEventListener("monitor", function (e) {
    try {
      update(JSON.parse(e.data));
    } catch (err) {
      console.warn("statusthing: bad event", err);
    }
  });
  source.addEventListener("open", function () {
    root.setAttribute("data-live-state", "connected");
  });
})();
