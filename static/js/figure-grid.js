// Checks each figure as it is typed, as the server will (kpis/danish.py): a Danish number
// ("1.075", "1 075", "58,8", "58,8 %", "−0,3"), a share within 0–100, a count not negative.
// The server checks again on saving. Leaving the page with unsaved figures asks first.
(function () {
  "use strict";
  var NUMBER = /^[+\-\u2212\u2013\u2014]?\s*(\d{1,3}(\.\d{3})+|\d{1,3}(\s\d{3})+|\d+)(,\d+)?\s*(%|pct\.?|procent)?$/i;
  var LIMITS = { percent: [0, 100], count: [0, null], fte: [0, null], ratio: [0, null] };
  var danish = document.documentElement.lang === "da";
  var MESSAGES = danish
    ? { number: "Skriv et tal i dansk format, fx 1.075 eller 58,8.", low: "Tallet kan ikke være negativt.",
        high: "En andel er højst 100.", empty: "Et tal kan ikke slettes her; ret det i stedet." }
    : { number: "Type a number in Danish format, e.g. 1.075 or 58,8.", low: "The figure cannot be negative.",
        high: "A share is at most 100.", empty: "A figure cannot be deleted here; correct it instead." };
  var dirty = false;

  function problem(input) {
    var text = input.value.trim();
    if (!text) { return input.defaultValue.trim() ? MESSAGES.empty : ""; }
    if (!NUMBER.test(text)) { return MESSAGES.number; }
    var plain = text.replace(/[%a-zA-Z.\s]/g, "").replace(",", ".").replace(/[\u2212\u2013\u2014]/, "-");
    var value = parseFloat(plain);
    var limits = LIMITS[input.dataset.unit] || [null, null];
    if (limits[0] !== null && value < limits[0]) { return MESSAGES.low; }
    if (limits[1] !== null && value > limits[1]) { return MESSAGES.high; }
    return "";
  }

  function show(input) {
    var message = problem(input);
    var id = input.id + "-live";
    var note = document.getElementById(id);
    if (message) {
      if (!note) {
        note = document.createElement("span");
        note.id = id;
        note.className = "cell-message";
        input.insertAdjacentElement("afterend", note);
      }
      note.textContent = message;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
    } else if (note) {
      note.remove();
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
  }

  document.querySelectorAll(".figure-grid input[type=text]").forEach(function (input) {
    input.addEventListener("input", function () { dirty = true; show(input); });
  });
  var form = document.querySelector(".figure-grid");
  if (form) { form.addEventListener("submit", function () { dirty = false; }); }
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
