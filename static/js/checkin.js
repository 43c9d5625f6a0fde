// The check-in form (logs/entry_form.html), made quicker with JavaScript; it works without.
//
// * A live preview of the text, rendered by the server (POST logs:preview) with the same
//   Markdown and sanitiser as the saved entry; without JavaScript a Preview button does it.
// * A draft of the text fields kept in this browser while typing (localStorage, one key per
//   person and per entry), offered back when the form opens afresh, and forgotten once the
//   entry's page says it is saved (data-draft-saved). A form sent back with errors keeps it.
// * A search box over the reading-list ticks: typing narrows the list.
// * Topics suggested while typing (POST logs:topics): a new suggestion is ticked once, and
//   remembered in topics_shown, so that one the person unticks stays off (as on the server).
(function () {
  "use strict";

  var store = null;
  try {
    store = window.localStorage;
    store.getItem("checkin:probe");
  } catch (error) {
    store = null; // storage blocked (private mode, policy): no drafts, everything else works
  }

  function forget(key) {
    if (store) {
      try {
        store.removeItem(key);
      } catch (error) {
        // nothing to forget
      }
    }
  }

  // The entry's page after a save: its draft is saved now.
  Array.prototype.forEach.call(document.querySelectorAll("[data-draft-saved]"), function (marker) {
    forget(marker.getAttribute("data-draft-saved"));
  });

  var form = document.querySelector("form[data-checkin]");
  if (!form) {
    return;
  }
  var body = form.elements.namedItem("body");

  // A form post answered with JSON (the preview, the topics); a refusal rejects the promise.
  function postForm(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + " answered " + response.status);
      }
      return response.json();
    });
  }

  // --- Live preview ---------------------------------------------------------------

  var previewSection = form.querySelector("[data-preview]");
  var previewBody = form.querySelector("[data-preview-body]");
  var previewButton = form.querySelector("[data-preview-button]");
  var csrf = form.elements.namedItem("csrfmiddlewaretoken");
  var previewTimer = null;
  var previewSeq = 0;

  function renderPreview() {
    if (!body || !previewSection || !previewBody) {
      return;
    }
    var seq = ++previewSeq;
    if (!body.value.trim()) {
      previewSection.hidden = true;
      previewBody.textContent = "";
      return;
    }
    var data = new URLSearchParams();
    data.set("body", body.value);
    data.set("csrfmiddlewaretoken", csrf ? csrf.value : "");
    postForm(form.getAttribute("data-preview-url"), data)
      .then(function (result) {
        if (seq !== previewSeq) {
          return; // a newer text is on its way
        }
        // Sanitised on the server by the same code as the saved entry (learningday.markdown).
        previewBody.innerHTML = result.html;
        previewSection.hidden = false;
      })
      .catch(function () {
        // No preview this time (offline, signed out): the form still saves.
      });
  }

  function schedulePreview() {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(renderPreview, 400);
  }

  if (body && previewSection && previewBody) {
    if (previewButton) {
      previewButton.hidden = true; // the preview follows the typing
    }
    body.addEventListener("input", schedulePreview);
  }

  // --- The draft ------------------------------------------------------------------

  var key = form.getAttribute("data-draft-key");
  var base = form.getAttribute("data-draft-base") || "";
  var note = form.querySelector("[data-draft-note]");
  var noteText = form.querySelector("[data-draft-text]");
  var discard = form.querySelector("[data-draft-discard]");
  var details = form.querySelector("details");
  // A form as the server sends it on opening; one sent back (errors, preview) holds unsaved text.
  var fresh = form.hasAttribute("data-draft-restore");
  var MAX_AGE_MS = 14 * 24 * 3600 * 1000; // a draft older than two weeks is not offered back
  // Not the day (type "date"): a draft must never move an entry to another day unasked.
  var TEXT_TYPES = ["text", "number", "url", "email", "textarea", "select-one"];

  function draftFields() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && TEXT_TYPES.indexOf(element.type) !== -1;
    });
  }

  function defaultValue(element) {
    if (element.type === "select-one") {
      var chosen = Array.prototype.find.call(element.options, function (option) {
        return option.defaultSelected;
      });
      return chosen ? chosen.value : element.options.length ? element.options[0].value : "";
    }
    return element.defaultValue;
  }

  function currentValues() {
    var values = {};
    draftFields().forEach(function (element) {
      values[element.name] = element.value;
    });
    return values;
  }

  function differsFromPage(values) {
    return draftFields().some(function (element) {
      return Object.prototype.hasOwnProperty.call(values, element.name) && values[element.name] !== element.value;
    });
  }

  // The form as it opened (on an edit: the entry as saved).
  function isDefault() {
    return draftFields().every(function (element) {
      return element.value === defaultValue(element);
    });
  }

  function readDraft() {
    if (!store || !key) {
      return null;
    }
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      return draft && typeof draft.values === "object" ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function saveDraft() {
    if (!store || !key) {
      return;
    }
    if (fresh && isDefault()) {
      forget(key); // back to the form as it opened: nothing to keep
      return;
    }
    try {
      store.setItem(key, JSON.stringify({ base: base, at: Date.now(), values: currentValues() }));
    } catch (error) {
      // storage full or blocked: typing goes on without a draft
    }
  }

  function restore(draft) {
    var openDetails = false;
    draftFields().forEach(function (element) {
      if (Object.prototype.hasOwnProperty.call(draft.values, element.name)) {
        element.value = draft.values[element.name];
        if (details && details.contains(element) && element.value !== defaultValue(element)) {
          openDetails = true;
        }
      }
    });
    if (openDetails) {
      details.open = true;
    }
    if (note && noteText) {
      var at = new Date(draft.at);
      noteText.textContent =
        "Your draft from " +
        at.toLocaleString([], { weekday: "long", hour: "2-digit", minute: "2-digit" }) +
        " is back: it is kept in this browser until you save.";
      note.hidden = false;
    }
    renderPreview();
  }

  if (discard) {
    discard.addEventListener("click", function () {
      draftFields().forEach(function (element) {
        element.value = defaultValue(element);
      });
      forget(key);
      note.hidden = true;
      renderPreview();
      if (body) {
        body.focus();
      }
    });
  }

  var draft = readDraft();
  if (draft && (draft.base !== base || !(Date.now() - draft.at < MAX_AGE_MS))) {
    forget(key); // a draft of the entry as it was before another save, or long forgotten
    draft = null;
  }
  if (fresh) {
    if (draft && differsFromPage(draft.values)) {
      restore(draft);
    }
  } else {
    saveDraft(); // the form as sent back: what was typed is the draft
  }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  if (body && body.value.trim() && previewSection && previewSection.hidden) {
    renderPreview();
  }

  // --- Finding a reading-list item ------------------------------------------------

  var search = form.querySelector("[data-item-search]");
  var boxes = form.querySelectorAll('input[type="checkbox"][name="items"]');
  if (search && boxes.length) {
    var input = search.querySelector('input[type="search"]');
    var count = search.querySelector("[data-item-count]");
    var options = Array.prototype.map.call(boxes, function (box) {
      var row = box.closest("label").parentElement;
      return { box: box, row: row, text: fold(row.textContent) };
    });
    var list = options[0].row.parentElement;
    // Into the fieldset, between its hint and the ticks.
    list.parentElement.insertBefore(search, list);
    search.hidden = false;

    var filter = function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (option) {
        var match =
          option.box.checked ||
          words.every(function (word) {
            return option.text.indexOf(word) !== -1;
          });
        option.row.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      count.textContent = words.length
        ? shown === 0
          ? "No title matches."
          : shown + " of " + options.length + " shown."
        : "";
    };

    var firstShown = function () {
      var option = options.find(function (o) {
        return !o.row.hidden;
      });
      return option ? option.box : null;
    };

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault(); // Enter here finds a title; it does not send the form
        var box = firstShown();
        if (box) {
          box.focus();
        }
      }
    });
  }

  // --- Suggested topics ------------------------------------------------------------

  var topicsUrl = form.getAttribute("data-topics-url");
  var shown = form.elements.namedItem("topics_shown");
  var topicBoxes = form.querySelectorAll('input[type="checkbox"][name="topics"]');
  var upFront = form.querySelector("[data-topics-suggested]");
  var upFrontTicks = upFront ? upFront.querySelector("[data-topic-ticks]") : null;
  var topicNote = upFront ? upFront.querySelector("[data-topics-note]") : null;
  var otherTicks = form.querySelector("[data-topic-others]");
  var topicStatus = form.querySelector("[data-topic-status]");
  var autoTicked = {}; // ticked by a suggestion, not (yet) touched by the person
  var topicTimer = null;
  var topicSeq = 0;

  function offeredIds() {
    return (shown.value || "").split(",").filter(Boolean);
  }

  function showSuggestions(suggestions) {
    var offered = offeredIds();
    var byId = {};
    suggestions.forEach(function (topic) {
      byId[String(topic.id)] = topic;
    });
    var added = [];
    Array.prototype.forEach.call(topicBoxes, function (box) {
      var row = box.closest("label").parentElement;
      if (byId[box.value]) {
        if (offered.indexOf(box.value) === -1) {
          box.checked = true; // proposed once; if the person unticks it, it stays off
          autoTicked[box.value] = true;
          offered.push(box.value);
          added.push(byId[box.value].name);
        }
        upFrontTicks.appendChild(row);
      } else if (upFrontTicks.contains(row) && (!box.checked || autoTicked[box.value])) {
        // No longer suggested by the text: back with the others, as if never proposed.
        if (autoTicked[box.value]) {
          box.checked = false;
          delete autoTicked[box.value];
          offered = offered.filter(function (id) {
            return id !== box.value;
          });
        }
        otherTicks.appendChild(row);
      }
    });
    shown.value = offered.join(",");
    upFront.hidden = !upFrontTicks.children.length;
    topicNote.textContent = suggestions.length
      ? "Suggested from your text and reading-list items (" +
        suggestions
          .map(function (topic) {
            return topic.name + ": " + topic.because;
          })
          .join("; ") +
        "). Untick any that do not fit."
      : "";
    if (added.length && topicStatus) {
      topicStatus.textContent = "Topics suggested and ticked: " + added.join(", ") + ".";
    }
  }

  function suggestTopics() {
    var seq = ++topicSeq;
    var data = new URLSearchParams();
    data.set("body", body.value);
    Array.prototype.forEach.call(form.querySelectorAll('input[name="items"]:checked'), function (box) {
      data.append("items", box.value);
    });
    data.set("csrfmiddlewaretoken", csrf ? csrf.value : "");
    postForm(topicsUrl, data)
      .then(function (result) {
        if (seq === topicSeq) {
          showSuggestions(result.topics);
        }
      })
      .catch(function () {
        // No suggestions this time: saving suggests them on the server.
      });
  }

  function scheduleTopics() {
    window.clearTimeout(topicTimer);
    topicTimer = window.setTimeout(suggestTopics, 600);
  }

  if (topicsUrl && shown && body && upFrontTicks && topicNote && otherTicks && topicBoxes.length) {
    body.addEventListener("input", scheduleTopics);
    Array.prototype.forEach.call(boxes, function (box) {
      box.addEventListener("change", scheduleTopics);
    });
    Array.prototype.forEach.call(topicBoxes, function (box) {
      box.addEventListener("change", function () {
        delete autoTicked[box.value]; // the person's own choice now
      });
    });
  }

  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }
})();
