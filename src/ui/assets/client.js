/**
 * The web UI's only script, served at /assets/app.<hash>.js (embedded in the program by a
 * text import in src/ui/assets/mod.ts). `deno task check` type-checks it for the browser
 * (src/ui/assets/browser.json); `deno fmt` and `deno lint` see it like any other file.
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
"use strict";

/** @typedef {{ href: string; text: string }} Link */
/** @typedef {{ ok: boolean; status: number; data: any }} Reply */

/**
 * Starts the page's script. The served file ends with a call of this function that
 * passes `duration` of src/core/format.ts (its source text, see src/ui/assets/mod.ts),
 * so the CLI, the pages and this script format durations with one function.
 *
 * @param {(seconds: number) => string} duration  `850ms`, `12.3s`, `4m05s`, `2h03m`
 */
// deno-lint-ignore no-unused-vars -- called by the line src/ui/assets/mod.ts appends
function sparkqClient(duration) {
  /** The server's last markup of each live region, by element id. */
  const lastServer = new Map();

  // ---- time ------------------------------------------------------------------
  /** @param {number} ms */
  function ago(ms) {
    const s = Math.round(ms / 1000);
    if (s < 5) return "just now";
    if (s < 60) return s + "s ago";
    const m = Math.round(s / 60);
    if (m < 60) return m + " min ago";
    const h = Math.round(m / 60);
    if (h < 36) return h + " h ago";
    return Math.round(h / 24) + " d ago";
  }
  /** @param {number} n */
  function pad(n) {
    return String(n).padStart(2, "0");
  }
  /** @param {Date} d */
  function stamp(d) {
    const today = new Date();
    const time = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    if (d.toDateString() === today.toDateString()) return "today " + time;
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + time;
  }
  /** @param {ParentNode} root */
  function renderTimes(root) {
    const now = Date.now();
    root.querySelectorAll("time[datetime]").forEach((node) => {
      const t = /** @type {HTMLTimeElement} */ (node);
      const when = Date.parse(t.getAttribute("datetime") ?? "");
      if (isNaN(when)) return;
      if (!t.dataset.abs) t.dataset.abs = stamp(new Date(when));
      t.title = t.dataset.abs + "  (" + t.getAttribute("datetime") + ")";
      t.textContent = t.hasAttribute("data-absolute") ? t.dataset.abs : ago(now - when);
    });
    root.querySelectorAll("[data-since]").forEach((el) => {
      const since = Date.parse(el.getAttribute("data-since") ?? "");
      if (!isNaN(since)) el.textContent = duration(Math.max(0, now - since) / 1000);
    });
  }

  // ---- live regions ----------------------------------------------------------
  function remember() {
    document.querySelectorAll("[data-live][id]").forEach((el) => {
      lastServer.set(el.id, el.cloneNode(true));
    });
  }
  let busy = false, again = false;
  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    if (!document.querySelector("[data-live]")) return;
    busy = true;
    fetch(location.href, {
      headers: { "Accept": "text/html" },
      cache: "no-store",
      credentials: "same-origin",
    })
      .then((res) => res.ok ? res.text() : null)
      .then((html) => {
        if (html === null) return;
        const doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live][id]").forEach((el) => {
          const fresh = doc.getElementById(el.id);
          if (!fresh) return;
          const prev = lastServer.get(el.id);
          if (prev && prev.isEqualNode(fresh)) return;
          if (el.contains(document.activeElement) && el.matches("select, input, textarea")) return;
          lastServer.set(el.id, fresh.cloneNode(true));
          const node = document.importNode(fresh, true);
          if (el instanceof HTMLSelectElement && node instanceof HTMLSelectElement) {
            const keep = el.value;
            el.replaceWith(node);
            if (Array.from(node.options).some((o) => o.value === keep)) node.value = keep;
          } else {
            el.replaceWith(node);
          }
          renderTimes(node);
        });
      })
      .catch(() => {})
      .then(() => {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }
  function connect() {
    const live = document.getElementById("live");
    if (!globalThis.EventSource) return;
    /** @param {string} text */
    const say = (text) => {
      if (live?.lastChild) live.lastChild.textContent = text;
    };
    const es = new EventSource("/api/events");
    es.addEventListener("hello", () => {
      live?.classList.add("on");
      say("live");
      refresh();
    });
    es.addEventListener("change", refresh);
    es.onerror = () => {
      live?.classList.remove("on");
      say("reconnecting");
    };
  }

  // ---- toasts ----------------------------------------------------------------
  /**
   * @param {Node} parent
   * @param {Link | null | undefined} link
   */
  function appendLink(parent, link) {
    if (!link) return;
    parent.appendChild(document.createTextNode(" "));
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    parent.appendChild(a);
  }
  /**
   * @param {string} text
   * @param {string} kind  `ok` or `error`
   * @param {Link | null} [link]
   */
  function toast(text, kind, link) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const t = document.createElement("div");
    t.className = "toast" + (kind === "error" ? " error" : "");
    t.setAttribute("role", "status");
    t.appendChild(document.createTextNode(text));
    appendLink(t, link);
    box.appendChild(t);
    setTimeout(() => t.remove(), kind === "error" ? 7000 : 4000);
  }

  // ---- JSON requests ---------------------------------------------------------
  /**
   * @param {string} url
   * @param {unknown} body
   * @returns {Promise<Reply>}
   */
  function send(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    }).then((res) =>
      res.text().then((text) => {
        let data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch {
          data = null;
        }
        return { ok: res.ok, status: res.status, data };
      })
    );
  }
  /** @param {Reply} r */
  function errorOf(r) {
    return (r.data && r.data.error) ? r.data.error : "request failed (HTTP " + r.status + ")";
  }
  /**
   * @param {any} data
   * @returns {Link | null}
   */
  function taskLink(data) {
    return data && typeof data.id === "string" && data.id.indexOf("tsk_") === 0
      ? { href: "/tasks/" + encodeURIComponent(data.id), text: data.id }
      : null;
  }
  /**
   * @param {string} then
   * @param {any} data
   */
  function after(then, data) {
    if (then.charAt(0) === "/") { // a page of this server to go to
      location.href = then;
      return;
    }
    if (then === "goto-task" && data && data.id) {
      location.href = "/tasks/" + encodeURIComponent(data.id);
      return;
    }
    refresh();
  }
  /**
   * @param {HTMLFormElement} form
   * @param {string} kind
   * @param {string} text
   * @param {Link | null} [link]
   */
  function setMsg(form, kind, text, link) {
    const msg = form.querySelector(".form-msg");
    if (!msg) {
      if (text) toast(text, kind, link);
      return;
    }
    msg.className = "form-msg" + (kind ? " " + kind : "");
    msg.textContent = text || "";
    appendLink(msg, link);
  }
  /** @param {unknown} e */
  const messageOf = (e) => e instanceof Error ? e.message : String(e);

  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form[data-api]")) return;
    ev.preventDefault();
    /** @type {Record<string, unknown>} */
    const body = {};
    for (const item of Array.from(form.elements)) {
      const el = /** @type {HTMLInputElement} */ (item);
      if (!el.name || el.disabled) continue;
      /** @type {unknown} */
      let v = el.value;
      const kind = el.getAttribute("data-kind");
      if (kind === "json") {
        try {
          v = JSON.parse(el.value);
        } catch (e) {
          setMsg(form, "error", el.name + " is not valid JSON: " + messageOf(e));
          el.focus();
          return;
        }
      } else if (kind === "int") {
        if (el.value.trim() === "") continue;
        v = Number(el.value);
      } else if (el.value === "" && el.hasAttribute("data-optional")) {
        continue;
      }
      body[el.name] = v;
    }
    /** @type {HTMLButtonElement | null} */
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    setMsg(form, "", "");
    send(form.getAttribute("data-api") ?? "", body).then((r) => {
      if (!r.ok) {
        setMsg(form, "error", errorOf(r));
        return;
      }
      const then = form.getAttribute("data-then") || "refresh";
      const okText = form.getAttribute("data-ok") || "Done.";
      if (then === "reset") form.reset();
      setMsg(form, "ok", okText, taskLink(r.data));
      if (form.hasAttribute("data-toast")) toast(okText, "ok", taskLink(r.data));
      after(then, r.data);
    }).catch((e) => {
      setMsg(form, "error", "request failed: " + messageOf(e));
    }).then(() => {
      if (button) button.disabled = false;
    });
  });

  document.addEventListener("click", (ev) => {
    const target = ev.target;
    if (!(target instanceof Element)) return;
    const copy = target.closest("button[data-copy]");
    if (copy) {
      const text = copy.getAttribute("data-copy") ?? "";
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(() => toast("Copied " + text, "ok"));
      }
      return;
    }
    /** @type {HTMLButtonElement | null} */
    const btn = target.closest("button[data-post]");
    if (!btn) return;
    ev.preventDefault();
    const ask = btn.getAttribute("data-confirm");
    if (ask && !confirm(ask)) return;
    btn.disabled = true;
    send(btn.getAttribute("data-post") ?? "", {}).then((r) => {
      if (!r.ok) {
        toast(errorOf(r), "error");
        return;
      }
      toast(btn.getAttribute("data-ok") || "Done.", "ok", taskLink(r.data));
      after(btn.getAttribute("data-then") || "refresh", r.data);
    }).catch((e) => toast("request failed: " + messageOf(e), "error"))
      .then(() => {
        btn.disabled = false;
      });
  });

  // ---- enqueue form ----------------------------------------------------------
  function setupEnqueue() {
    const form = document.getElementById("enqueue-form");
    if (!form) return;
    /** @type {HTMLSelectElement | null} */
    const tool = form.querySelector("select[name=tool_name]");
    /** @type {HTMLTextAreaElement | null} */
    const payload = form.querySelector("textarea[name=payload]");
    /** @type {HTMLInputElement | null} */
    const timeout = form.querySelector("input[name=timeout]");
    if (!tool || !payload || !timeout) return;
    const script = /** @type {HTMLInputElement | null} */ (document.getElementById("script-path"));
    const info = document.getElementById("script-info");
    const toolInfo = document.getElementById("tool-info");
    /** @type {Record<string, string>} */
    const templates = {};
    for (const o of Array.from(tool.options)) {
      templates[o.value] = o.getAttribute("data-template") || "{}";
    }
    let lastTemplate = payload.value;
    function onTool() {
      if (!tool || !payload || !timeout) return;
      const o = tool.options[tool.selectedIndex];
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
      if (!script || !payload) return;
      const value = script.value.trim();
      /** @type {Element | null} */
      let match = null;
      document.querySelectorAll("#scripts option").forEach((o) => {
        if (/** @type {HTMLOptionElement} */ (o).value === value) match = o;
      });
      if (info) {
        info.textContent = "";
        if (match) {
          const m = /** @type {Element} */ (match);
          const b = document.createElement("b");
          b.textContent = m.getAttribute("data-name");
          info.appendChild(b);
          const parts = [
            m.getAttribute("data-description"),
            m.getAttribute("data-inputs") ? "inputs: " + m.getAttribute("data-inputs") : "",
            m.getAttribute("data-outputs") ? "outputs: " + m.getAttribute("data-outputs") : "",
          ];
          for (const p of parts) if (p) info.appendChild(document.createTextNode(" — " + p));
        }
      }
      if (!value) return;
      let obj;
      try {
        obj = JSON.parse(payload.value || "{}");
      } catch {
        return;
      }
      if (!obj || typeof obj !== "object" || Array.isArray(obj)) return;
      obj.script_path = value;
      payload.value = JSON.stringify(obj, null, 2);
      lastTemplate = payload.value;
    }
    tool.addEventListener("change", onTool);
    if (script) {
      script.addEventListener("change", onScript);
      script.addEventListener("input", () => {
        const selector = '#scripts option[value="' + CSS.escape(script.value) + '"]';
        if (document.querySelector(selector)) onScript();
      });
    }
    onTool();
  }

  document.addEventListener("DOMContentLoaded", () => {
    remember();
    renderTimes(document);
    setupEnqueue();
    connect();
    setInterval(() => renderTimes(document), 1000);
    setInterval(() => {
      if (!document.hidden) refresh();
    }, 10000);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) refresh();
    });
  });
}
