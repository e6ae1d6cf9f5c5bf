// A background computation's progress: poll its JSON while it runs and reload the page when it ends.
// Without JavaScript the page says the same and offers a refresh link.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var stage = box.querySelector("[data-job-stage]");
  var bar = box.querySelector("progress");
  function refresh() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (!data.job) { window.location.reload(); return; }
        var p = data.progress || {};
        stage.textContent = p.total ? p.stage + ": " + p.done + " of " + p.total : (p.stage || "");
        if (p.total) { bar.max = p.total; bar.value = p.done; }
      })
      .catch(function () {});
  }
  window.setInterval(refresh, 1500);
})();
