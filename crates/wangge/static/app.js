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

  document.querySelectorAll("a[data-confirm]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (!window.confirm(a.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  // Secondary filters are open on wide screens (their summary is hidden there anyway).
  if (window.matchMedia("(min-width: 761px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }

  // A select that applies itself.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  // An import's progress: poll its status, reload the page when it is done.
  document.querySelectorAll("[data-progress]").forEach(function (box) {
    var bar = box.querySelector("progress");
    var rows = box.querySelector("[data-rows]");
    function poll() {
      fetch(box.getAttribute("data-progress"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return;
          if (s.finished) { window.location.reload(); return; }
          if (s.fraction !== null && bar) bar.value = Math.round(s.fraction * 100);
          if (rows) rows.textContent = s.rows;
          setTimeout(poll, 700);
        })
        .catch(function () { setTimeout(poll, 2000); });
    }
    setTimeout(poll, 500);
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

  // Fill the point from the phone's position (browsers give WGS-84, which we store) and say
  // which grid it falls in.
  document.querySelectorAll("[data-locate]").forEach(function (btn) {
    var form = btn.form;
    var box = btn.closest("[data-place]") || form;
    var info = box.querySelector("[data-place-info]");
    var say = function (text) { if (info) info.textContent = text; };
    if (!navigator.geolocation) { btn.hidden = true; return; }
    btn.addEventListener("click", function () {
      btn.disabled = true; btn.textContent = "定位中…";
      navigator.geolocation.getCurrentPosition(function (p) {
        var lat = p.coords.latitude.toFixed(6), lng = p.coords.longitude.toFixed(6);
        form.elements.lat.value = lat;
        form.elements.lng.value = lng;
        btn.disabled = false; btn.textContent = "重新定位";
        var url = btn.getAttribute("data-locate");
        if (!url) { say("已定位"); return; }
        fetch(url + "?lat=" + lat + "&lng=" + lng)
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (g) {
            if (g && g.label) say("已定位：" + g.label);
            else say("您的位置不在任何网格内：请搜索楼栋，或选择所在社区（村）");
          })
          .catch(function () { say("已定位"); });
      }, function () {
        btn.disabled = false; btn.textContent = "用我的位置";
        say("无法定位：请搜索楼栋，或选择所在社区（村）");
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
  });

  // Find a building by what people call it; the pick places the report on its grid.
  document.querySelectorAll("input[data-place-search]").forEach(function (input) {
    var box = input.closest("[data-place]");
    var hits = box.querySelector("[data-place-hits]");
    var id = box.querySelector("input[name=building_id]");
    var info = box.querySelector("[data-place-info]");
    var timer = null;
    input.addEventListener("input", function () {
      id.value = "";
      if (info && info.getAttribute("data-picked")) { info.textContent = ""; info.removeAttribute("data-picked"); }
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 1) { hits.hidden = true; return; }
      timer = setTimeout(function () {
        fetch(input.getAttribute("data-place-search") + "?q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (list) {
            hits.textContent = "";
            if (!list.length) { hits.hidden = true; return; }
            list.forEach(function (b) {
              var btn = document.createElement("button");
              btn.type = "button"; btn.className = "placehit";
              btn.textContent = b.label;
              btn.addEventListener("click", function () {
                id.value = b.id;
                input.value = b.label;
                hits.hidden = true;
                if (info) { info.textContent = "已选楼栋：" + b.label; info.setAttribute("data-picked", "1"); }
              });
              hits.appendChild(btn);
            });
            hits.hidden = false;
          })
          .catch(function () { hits.hidden = true; });
      }, 250);
    });
  });

  // Suggest a category as the description is typed (accounts only: the API needs a login).
  document.querySelectorAll("textarea[data-suggest]").forEach(function (ta) {
    var box = document.querySelector(ta.getAttribute("data-suggest"));
    var select = ta.form && ta.form.elements.category;
    if (!box || !select) return;
    var timer = null;
    ta.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var title = ta.form.elements.title ? ta.form.elements.title.value : "";
        var text = (title + " " + ta.value).trim();
        if (text.length < 4) { box.hidden = true; return; }
        fetch("/api/v1/categories/suggest?text=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (list) {
            box.textContent = "";
            if (!list.length) { box.hidden = true; return; }
            var lead = document.createElement("span");
            lead.textContent = "推荐分类：";
            box.appendChild(lead);
            list.forEach(function (s) {
              var b = document.createElement("button");
              b.type = "button"; b.className = "btn small ghost";
              b.textContent = s.name + (s.method === "learned" ? "（学习）" : "");
              b.title = s.reason;
              b.addEventListener("click", function () { select.value = s.code; });
              box.appendChild(b);
            });
            var why = document.createElement("small");
            why.textContent = list[0].reason;
            box.appendChild(why);
            box.hidden = false;
          })
          .catch(function () { box.hidden = true; });
      }, 400);
    });
  });

  // Live notifications: the badge counts up and a toast shows the text.
  var live = document.body.getAttribute("data-live");
  var badge = document.querySelector("[data-unread]");
  var toast = document.querySelector(".toast");
  if (live && badge && window.EventSource) {
    var es = new EventSource(live);
    es.addEventListener("notification", function (e) {
      var n = {};
      try { n = JSON.parse(e.data); } catch (err) { return; }
      badge.textContent = String((+badge.textContent || 0) + 1);
      badge.hidden = false;
      if (toast) {
        toast.textContent = n.text || "您有新消息";
        toast.hidden = false;
        setTimeout(function () { toast.hidden = true; }, 6000);
      }
    });
  }
})();
