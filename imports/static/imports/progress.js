// Polls the run's status while the worker checks or writes it; reloads once it is done, so the
// preview (or the result) shows. Without JavaScript the page offers a refresh link instead.
(function () {
  "use strict";
  var panel = document.getElementById("run-progress-panel");
  if (!panel) return;
  var url = panel.getAttribute("data-status-url");
  var bar = document.getElementById("run-progress");
  var text = document.getElementById("run-progress-text");
  var badge = document.getElementById("run-status");
  var format = new Intl.NumberFormat(document.documentElement.lang || "id");
  var delay = 1000;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { delay = Math.min(delay * 2, 10000); return; }
        if (!state.working) { window.location.reload(); return; }
        badge.textContent = state.label;
        // Writing happens in one transaction, so it has no count to show: the bar stays a
        // plain "busy" bar (no value) until the page reloads with the result.
        if (state.status === "applying") return;
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        if (state.total) {
          text.textContent = format.format(state.done) + " / " + format.format(state.total);
        }
        delay = 1000;
      })
      .catch(function () { delay = Math.min(delay * 2, 10000); })
      .then(function () { window.setTimeout(poll, delay); });
  }
  window.setTimeout(poll, delay);
})();
