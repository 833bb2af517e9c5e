// Optional: reload the page when the payment's status changes. The pages work without it.
(function () {
  var link = document.getElementById("status-link");
  if (!link || !window.fetch) { return; }
  var url = link.getAttribute("data-status-url");
  var seen = link.getAttribute("data-status");
  function check() {
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.status !== seen) { window.location.href = link.href; }
        else { window.setTimeout(check, 5000); }
      })
      .catch(function () { window.setTimeout(check, 15000); });
  }
  window.setTimeout(check, 5000);
})();
