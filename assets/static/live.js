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
      var heads = results.parentNode.querySelectorAll("thead th");
      [m.result.time, m.result.outcome_label, m.result.duration, m.result.code, m.result.message].forEach(function (text, i) {
        var td = document.createElement("td");
        if (heads[i]) td.setAttribute("data-label", heads[i].textContent);
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

  // Pages with data-refresh (heartbeats) re-fetch their changing parts after an event of
  // their monitor and swap each [data-part] in place; open <details> stay open. The server
  // sends at most one ping event per second and monitor, so a second fetch after that
  // window shows the pings of a burst that came without an event.
  var refreshTimers = {};
  function refresh(el) {
    var id = el.getAttribute("data-monitor-id");
    var timers = refreshTimers[id] || [];
    timers.forEach(clearTimeout);
    refreshTimers[id] = [setTimeout(load, 150, el), setTimeout(load, 1500, el)];
  }
  var loads = 0;
  function load(el) {
    var mine = ++loads;
    fetch(el.getAttribute("data-refresh"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (res) {
        if (!res.ok) throw new Error("refresh: HTTP " + res.status);
        return res.text();
      })
      .then(function (html) {
        if (mine !== loads) return; // a later fetch is under way: its answer is newer
        var doc = new DOMParser().parseFromString(html, "text/html");
        doc.querySelectorAll("[data-part]").forEach(function (part) {
          var old = el.querySelector('[data-part="' + part.getAttribute("data-part") + '"]');
          if (!old) return;
          old.querySelectorAll("details[open][data-ping-id]").forEach(function (d) {
            var again = part.querySelector('details[data-ping-id="' + d.getAttribute("data-ping-id") + '"]');
            if (again) again.open = true;
          });
          old.replaceWith(document.importNode(part, true));
        });
        el.setAttribute("data-refreshed-at", String(Date.now()));
      })
      .catch(function (err) {
        console.warn("statusthing:", err);
      });
  }

  var source = new EventSource(root.getAttribute("data-live"));
  source.addEventListener("monitor", function (e) {
    try {
      var m = JSON.parse(e.data);
      update(m);
      if (!m.deleted) {
        document.querySelectorAll('[data-refresh][data-monitor-id="' + m.id + '"]').forEach(refresh);
      }
    } catch (err) {
      console.warn("statusthing: bad event", err);
    }
  });
  source.addEventListener("open", function () {
    root.setAttribute("data-live-state", "connected");
  });
})();
