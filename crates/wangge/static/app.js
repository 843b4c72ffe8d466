// wangge — small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Phone menu.
  var toggle = document.querySelector(".navtoggle");
  var nav = document.getElementById("sidenav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Ask before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  // Show that a long upload is under way.
  document.querySelectorAll("form[data-busy]").forEach(function (f) {
    f.addEventListener("submit", function () {
      var b = f.querySelector("button[type=submit]");
      if (b) { b.disabled = true; b.textContent = f.getAttribute("data-busy"); }
    });
  });

  // Collapse and expand the org tree.
  document.querySelectorAll("[data-tree]").forEach(function (tree) {
    tree.addEventListener("click", function (e) {
      var btn = e.target.closest("button.twisty");
      if (!btn) return;
      var li = btn.parentElement;
      var depth = +li.dataset.depth;
      var open = btn.getAttribute("aria-expanded") !== "true";
      btn.setAttribute("aria-expanded", open ? "true" : "false");
      var hiddenBelow = null;
      for (var n = li.nextElementSibling; n && +n.dataset.depth > depth; n = n.nextElementSibling) {
        if (!open) { n.hidden = true; continue; }
        var d = +n.dataset.depth;
        if (hiddenBelow !== null && d > hiddenBelow) { n.hidden = true; continue; }
        hiddenBelow = null;
        n.hidden = false;
        var t = n.querySelector("button.twisty");
        if (t && t.getAttribute("aria-expanded") === "false") hiddenBelow = d;
      }
    });
  });

  // Read a picked GeoJSON file into its textarea.
  document.querySelectorAll("input[type=file][data-read-into]").forEach(function (input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.getAttribute("data-read-into"));
      var file = input.files && input.files[0];
      if (!target || !file) return;
      var r = new FileReader();
      r.onload = function () { target.value = String(r.result); };
      r.readAsText(file);
    });
  });

  // Show the department field only for department handlers.
  document.querySelectorAll("select[data-role-select]").forEach(function (sel) {
    var form = sel.form;
    function sync() {
      var dept = sel.value === "department_handler";
      form.querySelectorAll("[data-for-role]").forEach(function (el) {
        var forDept = el.getAttribute("data-for-role") === "department_handler";
        el.hidden = forDept ? !dept : dept;
      });
    }
    sel.addEventListener("change", sync);
    sync();
  });
})();
