/**
 * The web UI's only script, served at /assets/app.js (embedded: no files at runtime).
 *
 * - Live updates: an EventSource on /api/events says `change` whenever the database
 *   changed (from the UI, the API or the CLI); the page then fetches itself again,
 *   parses the answer with DOMParser (inert: nothing in it runs) and swaps in every
 *   `[data-live]` region whose server markup changed. A 10 s timer does the same
 *   for changes that only time makes (a running task turning stale).
 * - Forms with `data-api` and buttons with `data-post` send JSON with fetch, so every
 *   mutation carries `Content-Type: application/json` and passes the CSRF guard.
 * - Task text is only ever set with textContent; this script never writes innerHTML.
 */
export const CLIENT_JS = String.raw`(function () {
  "use strict";
  var lastServer = new Map();

  // ---- time ------------------------------------------------------------------
  function ago(ms) {
    var s = Math.round(ms / 1000);
    if (s < 5) return "just now";
    if (s < 60) return s + "s ago";
    var m = Math.round(s / 60);
    if (m < 60) return m + " min ago";
    var h = Math.round(m / 60);
    if (h < 36) return h + " h ago";
    return Math.round(h / 24) + " d ago";
  }
  function dur(sec) {
    if (sec < 1) return Math.round(sec * 1000) + "ms";
    if (sec < 60) return (Math.round(sec * 10) / 10) + "s";
    var s = Math.floor(sec);
    if (s < 3600) return Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s";
    return Math.floor(s / 3600) + "h" + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
  }
  function pad(n) { return String(n).padStart(2, "0"); }
  function stamp(d) {
    var today = new Date();
    var time = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    if (d.toDateString() === today.toDateString()) return "today " + time;
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + time;
  }
  function renderTimes(root) {
    var now = Date.now();
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var when = Date.parse(t.getAttribute("datetime"));
      if (isNaN(when)) return;
      if (!t.dataset.abs) t.dataset.abs = stamp(new Date(when));
      t.title = t.dataset.abs + "  (" + t.getAttribute("datetime") + ")";
      t.textContent = t.hasAttribute("data-absolute") ? t.dataset.abs : ago(now - when);
    });
    root.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(since)) el.textContent = dur(Math.max(0, now - since) / 1000);
    });
  }

  // ---- live regions ----------------------------------------------------------
  function remember() {
    document.querySelectorAll("[data-live][id]").forEach(function (el) {
      lastServer.set(el.id, el.cloneNode(true));
    });
  }
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    if (!document.querySelector("[data-live]")) return;
    busy = true;
    fetch(location.href, { headers: { "Accept": "text/html" }, cache: "no-store", credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live][id]").forEach(function (el) {
          var fresh = doc.getElementById(el.id);
          if (!fresh) return;
          var prev = lastServer.get(el.id);
          if (prev && prev.isEqualNode(fresh)) return;
          if (el.contains(document.activeElement) && el.matches("select, input, textarea")) return;
          lastServer.set(el.id, fresh.cloneNode(true));
          var node = document.importNode(fresh, true);
          if (el.tagName === "SELECT") {
            var keep = el.value;
            el.replaceWith(node);
            if (Array.prototype.some.call(node.options, function (o) { return o.value === keep; })) node.value = keep;
          } else {
            el.replaceWith(node);
          }
          renderTimes(node);
        });
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  function connect() {
    var live = document.getElementById("live");
    if (!window.EventSource) return;
    var es = new EventSource("/api/events");
    es.addEventListener("hello", function () { if (live) { live.classList.add("on"); live.lastChild.textContent = "live"; } refresh(); });
    es.addEventListener("change", refresh);
    es.onerror = function () { if (live) { live.classList.remove("on"); live.lastChild.textContent = "reconnecting"; } };
  }

  // ---- toasts ----------------------------------------------------------------
  function toast(text, kind, link) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var t = document.createElement("div");
    t.className = "toast" + (kind === "error" ? " error" : "");
    t.setAttribute("role", "status");
    t.appendChild(document.createTextNode(text));
    if (link) {
      t.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      t.appendChild(a);
    }
    box.appendChild(t);
    setTimeout(function () { t.remove(); }, kind === "error" ? 7000 : 4000);
  }

  // ---- JSON requests ---------------------------------------------------------
  function send(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: res.ok, status: res.status, data: data };
      });
    });
  }
  function errorOf(r) {
    return (r.data && r.data.error) ? r.data.error : "request failed (HTTP " + r.status + ")";
  }
  function taskLink(data) {
    return data && typeof data.id === "string" && data.id.indexOf("tsk_") === 0
      ? { href: "/tasks/" + encodeURIComponent(data.id), text: data.id } : null;
  }
  function after(then, data) {
    if (then === "goto-task" && data && data.id) { location.href = "/tasks/" + encodeURIComponent(data.id); return; }
    refresh();
  }
  function setMsg(form, kind, text, link) {
    var msg = form.querySelector(".form-msg");
    if (!msg) { if (text) toast(text, kind, link); return; }
    msg.className = "form-msg" + (kind ? " " + kind : "");
    msg.textContent = text || "";
    if (link) {
      msg.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      msg.appendChild(a);
    }
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-api]")) return;
    ev.preventDefault();
    var body = {};
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.disabled) continue;
      var v = el.value;
      var kind = el.getAttribute("data-kind");
      if (kind === "json") {
        try { v = JSON.parse(v); } catch (e) {
          setMsg(form, "error", el.name + " is not valid JSON: " + e.message);
          el.focus();
          return;
        }
      } else if (kind === "int") {
        if (v.trim() === "") continue;
        v = Number(v);
      } else if (v === "" && el.hasAttribute("data-optional")) {
        continue;
      }
      body[el.name] = v;
    }
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    setMsg(form, "", "");
    send(form.getAttribute("data-api"), body).then(function (r) {
      if (!r.ok) { setMsg(form, "error", errorOf(r)); return; }
      var then = form.getAttribute("data-then") || "refresh";
      var okText = form.getAttribute("data-ok") || "Done.";
      if (then === "reset") form.reset();
      setMsg(form, "ok", okText, taskLink(r.data));
      if (form.hasAttribute("data-toast")) toast(okText, "ok", taskLink(r.data));
      after(then, r.data);
    }).catch(function (e) {
      setMsg(form, "error", "request failed: " + e.message);
    }).then(function () { if (button) button.disabled = false; });
  });

  document.addEventListener("click", function (ev) {
    var copy = ev.target.closest && ev.target.closest("button[data-copy]");
    if (copy) {
      var text = copy.getAttribute("data-copy");
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { toast("Copied " + text, "ok"); });
      return;
    }
    var btn = ev.target.closest && ev.target.closest("button[data-post]");
    if (!btn) return;
    ev.preventDefault();
    var ask = btn.getAttribute("data-confirm");
    if (ask && !confirm(ask)) return;
    btn.disabled = true;
    send(btn.getAttribute("data-post"), {}).then(function (r) {
      if (!r.ok) { toast(errorOf(r), "error"); return; }
      toast(btn.getAttribute("data-ok") || "Done.", "ok", taskLink(r.data));
      after(btn.getAttribute("data-then") || "refresh", r.data);
    }).catch(function (e) { toast("request failed: " + e.message, "error"); })
      .then(function () { btn.disabled = false; });
  });

  // ---- enqueue form ----------------------------------------------------------
  function setupEnqueue() {
    var form = document.getElementById("enqueue-form");
    if (!form) return;
    var tool = form.querySelector("select[name=tool_name]");
    var payload = form.querySelector("textarea[name=payload]");
    var timeout = form.querySelector("input[name=timeout]");
    var script = document.getElementById("script-path");
    var info = document.getElementById("script-info");
    var toolInfo = document.getElementById("tool-info");
    var templates = {};
    Array.prototype.forEach.call(tool.options, function (o) { templates[o.value] = o.getAttribute("data-template") || "{}"; });
    var lastTemplate = payload.value;
    function onTool() {
      var o = tool.options[tool.selectedIndex];
      if (!o) return;
      if (payload.value.trim() === "" || payload.value === lastTemplate) {
        payload.value = templates[o.value];
        lastTemplate = payload.value;
        if (script && script.value && templates[o.value].indexOf("script_path") >= 0) onScript();
      }
      timeout.placeholder = "default " + o.getAttribute("data-timeout") + " s";
      if (toolInfo) toolInfo.textContent = o.getAttribute("data-info") || "";
    }
    function onScript() {
      var value = script.value.trim();
      var match = null;
      document.querySelectorAll("#scripts option").forEach(function (o) { if (o.value === value) match = o; });
      if (info) {
        info.textContent = "";
        if (match) {
          var b = document.createElement("b");
          b.textContent = match.getAttribute("data-name");
          info.appendChild(b);
          var parts = [match.getAttribute("data-description"), match.getAttribute("data-inputs") ? "inputs: " + match.getAttribute("data-inputs") : "", match.getAttribute("data-outputs") ? "outputs: " + match.getAttribute("data-outputs") : ""];
          parts.forEach(function (p) { if (p) info.appendChild(document.createTextNode(" — " + p)); });
        }
      }
      if (!value) return;
      var obj;
      try { obj = JSON.parse(payload.value || "{}"); } catch (e) { return; }
      if (!obj || typeof obj !== "object" || Array.isArray(obj)) return;
      obj.script_path = value;
      payload.value = JSON.stringify(obj, null, 2);
      lastTemplate = payload.value;
    }
    tool.addEventListener("change", onTool);
    if (script) { script.addEventListener("change", onScript); script.addEventListener("input", function () { if (document.querySelector('#scripts option[value="' + CSS.escape(script.value) + '"]')) onScript(); }); }
    onTool();
  }

  document.addEventListener("DOMContentLoaded", function () {
    remember();
    renderTimes(document);
    setupEnqueue();
    connect();
    setInterval(function () { renderTimes(document); }, 1000);
    setInterval(function () { if (!document.hidden) refresh(); }, 10000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  });
})();
`;
