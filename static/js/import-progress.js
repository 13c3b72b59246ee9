// While a worker reads or saves an import, poll its status and move the progress bar;
// reload the page when it is done, so the preview or the result shows.
(function () {
  "use strict";
  var box = document.querySelector(".import-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        bar.value = status.percent;
        bar.textContent = status.percent + " %";
        if (status.state === "reading" || status.state === "saving") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
