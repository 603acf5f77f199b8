// Keyboard for the document workspace: j/k next/previous claim, c confirm or r reject the first
// suggested link (focuses its "why" field; Enter submits), v/d verify or dispute (focuses the
// rationale; Ctrl+Enter saves from it). Keys typed into a field are left alone. Without JavaScript every action is a form.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function go(step) {
    var claims = Array.prototype.slice.call(document.querySelectorAll("a.claim"));
    if (!claims.length) { return; }
    var at = claims.findIndex(function (a) { return a.classList.contains("selected"); });
    var next = at < 0 ? (step > 0 ? 0 : claims.length - 1) : Math.min(claims.length - 1, Math.max(0, at + step));
    window.location.href = claims[next].href;
  }
  function review(decision) {
    // The first link still waiting for a review (a confirmed one above it is not "first").
    var form = document.querySelector("form.review.suggested");
    if (!form) { return; }
    var hidden = form.querySelector("input[name=decision][type=hidden]");
    if (!hidden) {
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "decision";
      form.appendChild(hidden);
      form.querySelectorAll("button[name=decision]").forEach(function (b) {
        b.removeAttribute("name");
        // A click still takes the button's own action, whichever key was pressed before. Enter
        // in the "why" box also "clicks" the form's first button (the browser's implicit
        // submission, with no pointer and the focus still in the box): that keeps the key's.
        b.addEventListener("click", function (event) {
          if (event.detail > 0 || document.activeElement === b) { hidden.value = b.value; }
        });
      });
    }
    hidden.value = decision;
    // Say which action Enter will take, and show it on the buttons: both keys focus the same
    // "why" box, and Confirm is drawn as the main button.
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      var chosen = b.value === decision;
      b.classList.toggle("chosen", chosen);
      b.classList.toggle("quiet", !chosen);
      b.setAttribute("aria-pressed", chosen ? "true" : "false");
    });
    var note = form.querySelector(".key-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "key-note";
      note.setAttribute("role", "status");
      form.insertBefore(note, form.firstChild);
    }
    note.textContent = "Enter will " + decision + " this link: say why first.";
    form.querySelector("input[name=rationale]").focus();
  }
  function decide(status) {
    var form = document.querySelector("form.decide");
    if (!form) { return; }
    var select = form.querySelector("select[name=status]");
    var offered = Array.prototype.some.call(select.options, function (o) { return o.value === status; });
    if (!offered) {
      // A reviewer is not offered verdicts: say so, and leave the form as it was (setting the
      // value blanked the select, and saving then asked to "choose a status").
      var note = form.querySelector(".key-note");
      if (!note) {
        note = document.createElement("p");
        note.className = "key-note";
        note.setAttribute("role", "status");
        form.insertBefore(note, form.firstChild);
      }
      note.textContent = "Marking a claim " + status + " is an editor's decision; your role cannot set it.";
      select.focus();
      return;
    }
    select.value = status;
    form.querySelector("textarea[name=rationale]").focus();
  }
  // Selecting words in the article fills the "Add a claim" span, in code points (as stored).
  function points(text) { return Array.from(text).length; }
  document.addEventListener("mouseup", function () {
    var article = document.querySelector("article.text");
    var form = document.querySelector("form.add-claim");
    var selection = window.getSelection();
    if (!article || !form || !selection.rangeCount || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) { return; }
    var before = document.createRange();
    before.setStart(article, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var start = points(before.toString());
    var chosen = range.toString();
    form.querySelector("input[name=span_start]").value = start;
    form.querySelector("input[name=span_end]").value = start + points(chosen);
    form.querySelector("#selection").textContent = "“" + chosen + "”";
  });
  // On a phone the panel sits below the text: a chosen claim opens at its panel, not at the
  // sentence with the panel thousands of pixels further down.
  window.addEventListener("load", function () {
    var panel = document.getElementById("panel");
    var refused = document.getElementById("panel-problem");
    if (refused) {
      // A refused form: the page was drawn again from the top; bring the reason into view.
      refused.scrollIntoView({ block: "nearest" });
      return;
    }
    if (panel && window.matchMedia("(max-width: 48rem)").matches && document.querySelector("a.claim.selected")) {
      panel.scrollIntoView();
    }
  });
  document.addEventListener("keydown", function (event) {
    var field = document.activeElement;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && field && field.tagName === "TEXTAREA" && field.form) {
      // Ctrl+Enter saves from a text box (Enter is a new line there).
      event.preventDefault();
      field.form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) { return; }
    var actions = {
      j: function () { go(1); },
      k: function () { go(-1); },
      c: function () { review("confirm"); },
      r: function () { review("reject"); },
      v: function () { decide("verified"); },
      d: function () { decide("disputed"); }
    };
    if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  });
})();
