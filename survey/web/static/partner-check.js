/* "Check before sending" as the partner types (optional: the button works without it).
   Sends the answers to /s/<token>/check, which stores and logs nothing, and shows the findings. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-check-url]");
  var panel = document.getElementById("check-live");
  if (!form || !panel || !window.fetch) { return; }
  var timer = null;
  var sequence = 0;
  function item(finding) {
    var li = document.createElement("li");
    li.className = finding.removed ? "removed" : "kept";
    var quote = document.createElement("strong");
    quote.textContent = "\u201c" + finding.text + "\u201d";
    li.appendChild(quote);
    li.appendChild(document.createTextNode(": " + finding.advice +
      (finding.removed ? "" : " This stays as you wrote it; you may want to rephrase it.")));
    return li;
  }
  function show(results) {
    panel.textContent = "";
    var names = Object.keys(results).filter(function (name) { return results[name].length; });
    panel.hidden = names.length === 0;
    if (!names.length) { return; }
    var heading = document.createElement("p");
    heading.textContent = "These parts of your answers may show who you are (nothing has been saved):";
    panel.appendChild(heading);
    var list = document.createElement("ul");
    list.className = "check-findings";
    names.forEach(function (name) { results[name].forEach(function (f) { list.appendChild(item(f)); }); });
    panel.appendChild(list);
  }
  function check() {
    var mine = ++sequence;
    var body = new URLSearchParams();
    form.querySelectorAll("textarea").forEach(function (box) { body.append(box.name, box.value); });
    fetch(form.getAttribute("data-check-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (results) { if (results && mine === sequence) { show(results); } })
      .catch(function () { /* the button still works */ });
  }
  form.querySelectorAll("textarea").forEach(function (box) {
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 900);
    });
  });
})();
