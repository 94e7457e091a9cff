// Live status page: when the server says something changed, fetch the page again and swap
// its content in. Without JavaScript the page is complete; it just does not update itself.
(() => {
  const url = document.body.dataset.events;
  if (!url || !window.EventSource) return;
  let pending = false;
  const refresh = async () => {
    if (pending) return;
    pending = true;
    try {
      const res = await fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const next = doc.getElementById("status-main");
      const cur = document.getElementById("status-main");
      if (!next || !cur) return;
      // Keep the groups the visitor opened or closed as they are.
      const open = new Map([...cur.querySelectorAll("details.group")].map((d, i) => [i, d.open]));
      // And what they are typing in the subscribe form.
      const input = cur.querySelector("#subscribe-email");
      const typed = input ? input.value : "";
      const focused = input !== null && document.activeElement === input;
      cur.replaceWith(next);
      next.querySelectorAll("details.group").forEach((d, i) => { if (open.has(i)) d.open = open.get(i); });
      const again = next.querySelector("#subscribe-email");
      if (again) {
        again.value = typed;
        if (focused) again.focus();
      }
    } catch (_) {
      // Offline for a moment: the next change or reconnect tries again.
    } finally {
      pending = false;
    }
  };
  const source = new EventSource(url);
  source.addEventListener("change", refresh);
  // Back after a drop (server restart, network): changes may have been missed meanwhile.
  let dropped = false;
  source.addEventListener("error", () => { dropped = true; });
  source.addEventListener("open", () => { if (dropped) { dropped = false; refresh(); } });
})();
