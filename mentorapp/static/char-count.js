// Counts what is typed against a field's limit as the person types. Without this
// script the limit is still stated under the field, and the server refuses (keeping
// the text) what goes past it.
(function () {
  "use strict";

  var format = new Intl.NumberFormat("en");

  function enhance(note) {
    var input = document.getElementById(note.getAttribute("data-count-for"));
    if (!input) return;
    var limit = parseInt(input.getAttribute("data-limit"), 10);
    if (!limit) return;
    // Screen readers hear the count when typing pauses, not at every key.
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    note.insertAdjacentElement("afterend", spoken);
    var timer = null;

    function message() {
      var used = input.value.length;
      if (used > limit) {
        var over = used - limit;
        return format.format(over) + " character" + (over === 1 ? "" : "s") + " too many (the limit is " + format.format(limit) + ").";
      }
      var left = limit - used;
      return format.format(left) + " of " + format.format(limit) + " character" + (left === 1 ? "" : "s") + " left.";
    }

    function update() {
      var text = message();
      note.textContent = text;
      note.classList.toggle("field__count--over", input.value.length > limit);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { spoken.textContent = text; }, 800);
    }

    input.addEventListener("input", update);
    note.textContent = message();
    note.classList.toggle("field__count--over", input.value.length > limit);
  }

  function start() {
    var notes = document.querySelectorAll("[data-count-for]");
    for (var i = 0; i < notes.length; i++) enhance(notes[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
