// Drafts that survive a lost connection, and the notices about them. No inline script anywhere
// (the Content-Security-Policy forbids it); htmx sends the forms.
(function () {
  "use strict";
  var PREFIX = "xkld-draft:";

  function draftKey(form) {
    return PREFIX + location.pathname + "#" + (form.id || form.getAttribute("action"));
  }

  function fieldsOf(form) {
    var saved = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "password" || el.type === "file" || el.name === "csrf_token") {
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        saved[el.name + "=" + el.value] = el.checked;
      } else {
        saved[el.name] = el.value;
      }
    });
    return saved;
  }

  function restore(form, saved) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "password" || el.type === "file" || el.name === "csrf_token") {
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        var key = el.name + "=" + el.value;
        if (key in saved) { el.checked = saved[key]; }
      } else if (el.name in saved) {
        el.value = saved[el.name];
      }
    });
  }

  function notice(text) {
    var box = document.getElementById("connection");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
  }

  function forgetFinished() {
    // A page reached after a successful send names its form's key: that draft is done.
    var done = new URLSearchParams(location.search).get("done");
    if (!done) { return; }
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        try {
          if (JSON.parse(localStorage.getItem(key)).form_key === done) { localStorage.removeItem(key); }
        } catch (e) { localStorage.removeItem(key); }
      }
    }
  }

  function watch(root) {
    var forms = (root || document).querySelectorAll("form[data-draft]");
    Array.prototype.forEach.call(forms, function (form) {
      // A swap inside the page (the commune suggestions) leaves its form in place: restoring
      // it again would announce a "draft restored" that is not one, over the submit button.
      if (form.hasAttribute("data-watched")) { return; }
      form.setAttribute("data-watched", "");
      var key = draftKey(form);
      var saved = localStorage.getItem(key);
      if (saved && !form.hasAttribute("data-fresh-error")) {
        try {
          restore(form, JSON.parse(saved));
          notice(document.body.getAttribute("data-draft-restored"));
        } catch (e) { localStorage.removeItem(key); }
      }
      form.addEventListener("input", function () {
        localStorage.setItem(key, JSON.stringify(fieldsOf(form)));
      });
      form.addEventListener("change", function () {
        localStorage.setItem(key, JSON.stringify(fieldsOf(form)));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetFinished();
    watch(document);
    document.body.addEventListener("htmx:sendError", function () {
      notice(document.body.getAttribute("data-send-failed"));
    });
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var form = event.detail.elt;
      if (form && form.tagName === "FORM" && form.hasAttribute("data-draft")) {
        localStorage.setItem(draftKey(form), JSON.stringify(fieldsOf(form)));
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      watch(document);
      // Only a whole new page moves the focus: the commune suggestions keep it in their field.
      if (event.detail.target !== document.body) { return; }
      var main = document.getElementById("main");
      if (main) { main.focus(); }
    });
  });
})();

// The commune picker: a suggestion fills the field it names.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-fill]") : null;
  if (!button) { return; }
  var input = document.getElementById(button.getAttribute("data-fill"));
  if (!input) { return; }
  input.value = button.getAttribute("data-value");
  input.dispatchEvent(new Event("change", { bubbles: true }));
  var list = document.getElementById("commune-suggestions");
  if (list) { list.textContent = ""; }
  input.focus();
});

// The day sheet's "Print" button (no inline script: the CSP forbids it).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) { window.print(); }
});
