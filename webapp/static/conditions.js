/* Fields needed only for one choice (BPMN "required-when": decision == 'extend')
   are hidden while another choice is selected. Without this script every field
   shows, and the server still says which ones a choice needs. */
document.addEventListener("DOMContentLoaded", function () {
  var fields = document.querySelectorAll("[data-shown-when]");
  if (!fields.length) { return; }

  function chosen(form, name) {
    var inputs = form.querySelectorAll("[name='" + name + "']");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { return input.value; }
      } else {
        return input.value;
      }
    }
    return "";
  }

  function update() {
    fields.forEach(function (wrap) {
      var form = wrap.closest("form");
      if (!form) { return; }
      var values = wrap.getAttribute("data-shown-values").split(" ");
      var value = chosen(form, wrap.getAttribute("data-shown-when"));
      // A field with an error stays visible, so the person sees what to fix.
      var keep = wrap.classList.contains("has-error");
      wrap.hidden = !keep && values.indexOf(value) === -1;
    });
  }

  document.addEventListener("change", update);
  update();
});
