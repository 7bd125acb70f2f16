/* Live character count under each answer box (optional: the page works without it). */
(function () {
  "use strict";
  function update(box, counter) {
    var max = parseInt(box.getAttribute("data-max-chars"), 10);
    var used = box.value.length;
    counter.textContent = used.toLocaleString() + " of " + max.toLocaleString() + " characters used" +
      (used > max ? " (" + (used - max).toLocaleString() + " too many)" : "") + ".";
    counter.classList.toggle("over-limit", used > max);
  }
  document.querySelectorAll("textarea[data-max-chars]").forEach(function (box) {
    var counter = document.getElementById(box.id + "-count");
    if (!counter) { return; }
    update(box, counter);
    box.addEventListener("input", function () { update(box, counter); });
  });
})();
