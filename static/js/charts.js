// Draws the figures the server built (plans/presenters/charts.py): each <div data-figure="id"> gets the
// JSON of <script type="application/json" id="id">. No inline script, so a strict CSP holds.
(function () {
  "use strict";
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(JSON.parse(source.textContent));
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      displaylogo: false,
      // Danish months and days (static/vendor/plotly-locale-da.js); numbers follow the
      // figure's own separators (",.").
      locale: document.documentElement.lang === "da" ? "da" : "en",
      responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    });
  });
})();
