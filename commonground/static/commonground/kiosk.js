// Event kiosk: keep the live turnout counter current and put the cursor in the code box for the next voter.
(function () {
  "use strict";
  var counter = document.querySelector("[data-turnout-url]");
  var code = document.getElementById("id_code");
  if (code && !document.querySelector(".govuk-error-summary")) { code.focus(); }
  if (!counter || !window.fetch) { return; }
  function refresh() {
    fetch(counter.getAttribute("data-turnout-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { counter.textContent = data.ballots.toLocaleString("en-GB"); } })
      .catch(function () {});
  }
  window.setInterval(refresh, 5000);
})();
