// The claim form: a kept receipt is read in the background; this asks the server what it
// proposes and fills the fields the person left empty, each marked as read from the
// receipt. Nothing is saved: the person submits the form. Without this script, the next
// render of the form shows the same proposal.
(function () {
  "use strict";
  // Every kept receipt, in the form's order: the first one that could be read proposes, as the
  // server's next render would.
  var statuses = Array.prototype.slice.call(document.querySelectorAll("[data-reading-url]"));
  if (!statuses.length || !window.fetch) {
    return;
  }
  var form = statuses[0].closest("form");
  var MAX_TRIES = 45; // about ninety seconds a receipt

  function mark(input, note) {
    input.classList.add("read-from-receipt");
    var id = (input.id || input.name) + "_read";
    if (!document.getElementById(id)) {
      var p = document.createElement("p");
      p.className = "read-note";
      p.id = id;
      p.textContent = note;
      input.insertAdjacentElement("afterend", p);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? id + " " + described : id);
    }
  }

  function fill(fields, note) {
    var filled = 0;
    Object.keys(fields).forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (!input || input.type === "file" || typeof input.value !== "string") {
        return;
      }
      var home = form.querySelector("[data-home-currency]");
      var isDefault = name === "currency" && home && input.value === home.getAttribute("data-home-currency");
      if (input.value.trim() !== "" && !isDefault) {
        return;
      }
      input.value = fields[name];
      input.dispatchEvent(new Event("change", { bubbles: true }));
      mark(input, note);
      filled += 1;
    });
    return filled;
  }

  function ask(index, tries) {
    var status = statuses[index];
    if (!status) {
      return;
    }
    function next() {
      status.textContent = "";
      ask(index + 1, 0);
    }
    fetch(status.getAttribute("data-reading-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (!answer) {
          return next();
        }
        if (answer.reading === "waiting") {
          if (tries + 1 < MAX_TRIES) {
            window.setTimeout(function () {
              ask(index, tries + 1);
            }, 2000);
          }
          return;
        }
        if (answer.reading !== "read") {
          return next(); // this one could not be read: the next may
        }
        var filled = fill(answer.fields || {}, answer.note);
        status.textContent = filled ? "Read from the receipt: check the fields marked as read from it." : "";
      })
      .catch(function () {
        // A receipt that cannot be read leaves the form as it is.
      });
  }

  window.setTimeout(function () {
    ask(0, 0);
  }, 1000);
})();
