// Show only what the chosen kind of target asks for (plans/forms.py KIND_FIELDS); the server
// resets the rest anyway, so this is a convenience, not a rule.
(function () {
  "use strict";
  var source = document.getElementById("kind-fields");
  if (!source) { return; }
  var kindFields = JSON.parse(source.textContent);
  function update() {
    var chosen = document.querySelector("input[name=kind]:checked");
    var wanted = chosen ? kindFields[chosen.value] || [] : [];
    document.querySelectorAll(".kind-field").forEach(function (box) {
      box.hidden = chosen !== null && wanted.indexOf(box.dataset.field) === -1;
    });
  }
  document.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
