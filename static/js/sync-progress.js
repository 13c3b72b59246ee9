// While the connector fetches a jobindsats.dk table, reload the sources page every few
// seconds so its progress bar moves; the page stops loading this script once nothing syncs.
(function () {
  "use strict";
  if (!document.querySelector("[data-syncing]")) { return; }
  window.setTimeout(function () { window.location.reload(); }, 3000);
})();
