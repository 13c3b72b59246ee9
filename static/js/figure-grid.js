// Checks each figure as it is typed, as the server will: a Danish number ("1.075", "58,8"),
// a share within 0–100, a count not negative. The server checks again on saving.
(function () {
  "use strict";
  var NUMBER = /^[+\-\u2212]?\s*(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/;
  var LIMITS = { percent: [0, 100], count: [0, null], fte: [0, null], ratio: [0, null] };
  var MESSAGES = document.documentElement.lang === "da"
    ? { number: "Skriv et tal i dansk format, fx 1.075 eller 58,8.", low: "Tallet kan ikke være negativt.", high: "En andel er højst 100." }
    : { number: "Type a number in Danish format, e.g. 1.075 or 58,8.", low: "The figure cannot be negative.", high: "A share is at most 100." };

  function problem(input) {
    var text = input.value.trim();
    if (!text) { return ""; }
    if (!NUMBER.test(text)) { return MESSAGES.number; }
    var value = parseFloat(text.replace(/\./g, "").replace(",", ".").replace("\u2212", "-").replace(/\s/g, ""));
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
    input.addEventListener("input", function () { show(input); });
  });
})();
