// Reordering a team's reading list without a page load.
//
// Without this script each ↑ / ↓ button posts its form and the page comes back in the new
// order. With it, the post goes through fetch asking for JSON; the row's neighbour changes
// place in the list (so the focused row, and the focused button, never leave the page), and
// the messages region (role="status", polite) says where the item now stands. If the list
// changed meanwhile (another manager), the rows take the order the server answers. If the
// server refuses, the rows go back and the message says why. Alt+↑ / Alt+↓ on anything inside a
// row does the same as its buttons. Moves are sent one after the other, never at once.
(function () {
  "use strict";

  var list = document.querySelector("ol[data-reorder]");
  var region = document.querySelector(".messages[role='status']");
  if (!list || !region || !window.fetch) {
    return;
  }
  var queue = Promise.resolve();

  function rows() {
    return Array.prototype.slice.call(list.children).filter(function (row) {
      return row.matches("li.item");
    });
  }

  function titleOf(row) {
    var link = row.querySelector(".item-title a");
    return link ? link.textContent.trim() : "this item";
  }

  function formOf(row, direction) {
    return row.querySelector("form[data-move='" + direction + "']");
  }

  function buttonOf(form) {
    return form ? form.querySelector("button") : null;
  }

  // The first row cannot go up unless a page comes before this one; the last likewise down.
  function refreshButtons() {
    var all = rows();
    all.forEach(function (row, index) {
      var up = buttonOf(formOf(row, "up"));
      var down = buttonOf(formOf(row, "down"));
      if (up) {
        up.disabled = index === 0 && !list.hasAttribute("data-has-previous");
        up.setAttribute("aria-keyshortcuts", "Alt+ArrowUp");
      }
      if (down) {
        down.disabled = index === all.length - 1 && !list.hasAttribute("data-has-next");
        down.setAttribute("aria-keyshortcuts", "Alt+ArrowDown");
      }
    });
  }

  function say(kind, text) {
    var items = document.createElement("ul");
    var item = document.createElement("li");
    var label = document.createElement("span");
    items.className = "message-list";
    item.className = "message message-" + kind;
    label.className = "message-kind";
    label.textContent = kind === "error" ? "Error:" : "Done:";
    item.appendChild(label);
    item.appendChild(document.createTextNode(" " + text));
    items.appendChild(item);
    region.replaceChildren(items);
  }

  // Puts the neighbour on the other side of the row: the row itself stays in the document,
  // so whatever has focus inside it keeps it.
  function swap(row, neighbour, direction) {
    if (direction === "up") {
      list.insertBefore(neighbour, row.nextSibling);
    } else {
      list.insertBefore(neighbour, row);
    }
    refreshButtons();
  }

  // The list as the server has it, when it differs from what this page guessed: someone
  // else reordered it meanwhile, or filters hide the real neighbour.
  function sortBy(order) {
    var place = {};
    var active = document.activeElement;
    order.forEach(function (id, index) {
      place["item-" + id] = index;
    });
    function at(row) {
      return Object.prototype.hasOwnProperty.call(place, row.id) ? place[row.id] : order.length;
    }
    rows()
      .sort(function (a, b) {
        return at(a) - at(b);
      })
      .forEach(function (row) {
        list.appendChild(row);
      });
    refreshButtons();
    if (active && active !== document.activeElement && list.contains(active)) {
      active.focus();
    }
  }

  function keepFocusUsable(row, direction) {
    var active = document.activeElement;
    var mine = buttonOf(formOf(row, direction));
    if (mine && mine.disabled && (active === mine || active === document.body)) {
      var other = buttonOf(formOf(row, direction === "up" ? "down" : "up"));
      if (other && !other.disabled) {
        other.focus();
      }
    }
  }

  function reasonFor(response) {
    if (response.status === 403) {
      return Promise.resolve("you may not reorder this list (or your session has ended: reload the page).");
    }
    if (response.status === 404) {
      return Promise.resolve("it is no longer on a list you can see.");
    }
    return response
      .json()
      .then(function (body) {
        return body.error || "the server said no (" + response.status + ").";
      })
      .catch(function () {
        return "the server said no (" + response.status + ").";
      });
  }

  function move(form) {
    var row = form.closest("li.item");
    var direction = form.getAttribute("data-move");
    var neighbour = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    var title = titleOf(row);
    if (!neighbour || !neighbour.matches("li.item")) {
      form.submit(); // the neighbour is on another page: let the server show it
      return Promise.resolve();
    }
    swap(row, neighbour, direction);
    keepFocusUsable(row, direction);
    list.setAttribute("aria-busy", "true");

    function putBack(reason) {
      swap(row, neighbour, direction === "up" ? "down" : "up");
      say("error", "Could not move “" + title + "”: " + reason);
    }

    var token = form.querySelector("input[name='csrfmiddlewaretoken']");
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        if (!response.ok) {
          return reasonFor(response).then(putBack);
        }
        return response.json().then(function (body) {
          if ("item-" + body.swapped_with !== neighbour.id) {
            sortBy(body.order);
            keepFocusUsable(row, direction);
          }
          say("success", body.message);
        });
      })
      .catch(function () {
        putBack("no answer from the server; the list was not changed.");
      })
      .then(function () {
        list.removeAttribute("aria-busy");
      });
  }

  function enqueue(form) {
    queue = queue.then(function () {
      return move(form);
    });
  }

  refreshButtons();
  var hint = document.querySelector(".result-count");
  if (hint) {
    hint.appendChild(document.createTextNode(", or Alt+↑ Alt+↓ on a row"));
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-move]")) {
      return;
    }
    event.preventDefault();
    enqueue(form);
  });

  list.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) {
      return;
    }
    var row = event.target.closest("li.item");
    var form = row && formOf(row, event.key === "ArrowUp" ? "up" : "down");
    if (!form || buttonOf(form).disabled) {
      return;
    }
    event.preventDefault();
    enqueue(form);
  });
})();
