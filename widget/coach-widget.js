/*!
 * Trust Coach web widget. One tag on a page:
 *   <script src="https://coach.example.org/widget/coach-widget.js"
 *           data-server="https://coach.example.org:5005" defer></script>
 * Options (data- attributes of that tag):
 *   data-server    the Rasa server (socket.io channel); required
 *   data-title     the panel's title (default "Trust Coach")
 *   data-open      "true": the panel starts open
 *   data-locale    language and region sent with each message (default: the browser's)
 *   data-target    a CSS selector: render inline in that element instead of a launcher
 *   data-exit-url  where Quick exit goes (default https://www.bbc.co.uk/weather)
 *   data-privacy-url  the "browse privately" link
 * It loads socket.io.min.js from the folder it was loaded from (no third-party CDN).
 * It stores one thing: a random session id in sessionStorage (gone when the tab closes).
 * Server and user text is only ever set with textContent; links come only from structured
 * payloads, with their schemes checked.
 */
(function () {
  "use strict";

  var script = document.currentScript ||
    document.querySelector('script[src*="coach-widget.js"]');
  if (!script || window.__trustCoachWidget) { return; }
  window.__trustCoachWidget = true;

  var STORE_PREFIX = "trust-coach:";
  var SESSION_KEY = STORE_PREFIX + "session";
  var DEFAULT_EXIT = "https://www.bbc.co.uk/weather";
  var DEFAULT_PRIVACY = "https://www.womensaid.org.uk/cover-your-tracks-online/";
  var HELPLINES = "https://findahelpline.com";

  function attr(name, fallback) {
    var value = script.getAttribute("data-" + name);
    return value === null || value === "" ? fallback : value;
  }

  function safeUrl(value, schemes, fallback) {
    try {
      var url = new URL(String(value), window.location.href);
      if (schemes.indexOf(url.protocol) >= 0) { return url.href; }
    } catch (e) { /* not a URL */ }
    return fallback;
  }

  var config = {
    server: attr("server", ""),
    title: attr("title", "Trust Coach"),
    open: /^(true|1|yes|open)$/i.test(attr("open", "")),
    locale: attr("locale", navigator.language || (navigator.languages || [])[0] || ""),
    target: attr("target", ""),
    exitUrl: safeUrl(attr("exit-url", DEFAULT_EXIT), ["http:", "https:"], DEFAULT_EXIT),
    privacyUrl: safeUrl(attr("privacy-url", DEFAULT_PRIVACY), ["http:", "https:"], DEFAULT_PRIVACY)
  };
  var base = script.src.replace(/[^/]*(\?.*)?$/, "");

  // ------------------------------------------------------------------ storage

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function loadSessionId() {
    var store = storage("sessionStorage");
    var id = null;
    try { id = store && store.getItem(SESSION_KEY); } catch (e) { id = null; }
    var fresh = !(id && /^[0-9a-f]{32}$/.test(id));
    if (fresh) {
      id = newSessionId();
      try { if (store) { store.setItem(SESSION_KEY, id); } } catch (e) { /* private mode */ }
    }
    return { id: id, fresh: fresh };
  }

  function clearStorage() {
    ["sessionStorage", "localStorage"].forEach(function (kind) {
      var store = storage(kind);
      if (!store) { return; }
      try {
        for (var i = store.length - 1; i >= 0; i--) {
          var key = store.key(i);
          if (key && key.indexOf(STORE_PREFIX) === 0) { store.removeItem(key); }
        }
      } catch (e) { /* storage blocked */ }
    });
  }

  // ------------------------------------------------------------------ DOM helpers

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (key === "text") { node.textContent = value; }
      else if (key === "className") { node.className = value; }
      else if (key === "hidden") { node.hidden = !!value; }
      else { node.setAttribute(key, value); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function link(href, text, label) {
    var a = el("a", { href: href, text: text, className: "tcw-link" });
    if (/^https?:/.test(href)) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
    if (label) { a.setAttribute("aria-label", label); }
    return a;
  }

  // ------------------------------------------------------------------ styles

  var CSS = [
    ".tcw, .tcw *{box-sizing:border-box}",
    ".tcw{--tcw-accent:#2f5d62;--tcw-accent-dark:#1f4246;--tcw-bg:#fbf8f3;--tcw-ink:#1f2a2b;",
    "--tcw-muted:#4a5657;--tcw-bot:#ffffff;--tcw-user:#dcebe6;--tcw-exit:#8a2d1e;",
    "font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:var(--tcw-ink)}",
    ".tcw-launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:999px;",
    "background:var(--tcw-accent);color:#fff;font:inherit;font-weight:600;padding:.8em 1.3em;",
    "box-shadow:0 4px 14px rgba(0,0,0,.18);cursor:pointer}",
    ".tcw-launcher:hover{background:var(--tcw-accent-dark)}",
    ".tcw-panel{display:flex;flex-direction:column;background:var(--tcw-bg);color:var(--tcw-ink);",
    "border:1px solid #d9d1c4;border-radius:14px;overflow:hidden}",
    ".tcw-panel[hidden]{display:none}",
    ".tcw-floating .tcw-panel{position:fixed;right:20px;bottom:84px;z-index:2147483001;",
    "width:min(400px,calc(100vw - 24px));height:min(640px,calc(100vh - 104px));",
    "box-shadow:0 10px 30px rgba(0,0,0,.22)}",
    ".tcw-inline .tcw-panel{width:100%;min-height:480px;height:70vh;max-height:760px}",
    "@media (max-width:480px){.tcw-floating .tcw-panel{right:0;left:0;bottom:0;top:0;width:100%;height:100%;",
    "border-radius:0}.tcw-launcher{right:12px;bottom:12px}}",
    ".tcw-head{display:flex;flex-wrap:wrap;align-items:center;gap:.5em;padding:.6em .8em;",
    "background:var(--tcw-accent);color:#fff}",
    ".tcw-title{flex:1 1 auto;margin:0;font-size:1.05em;font-weight:650;min-width:6em}",
    ".tcw-btn{font:inherit;font-size:.9em;border-radius:8px;padding:.45em .8em;cursor:pointer;",
    "border:1px solid transparent;min-height:44px}",
    ".tcw-exit{background:var(--tcw-exit);color:#fff;border-color:#fff;font-weight:700}",
    ".tcw-exit:hover{background:#6e2316}",
    ".tcw-close{background:transparent;color:#fff;border-color:rgba(255,255,255,.7)}",
    ".tcw-note{margin:0;padding:.45em .9em;font-size:.8em;color:var(--tcw-muted);background:#f1ebe1;",
    "border-bottom:1px solid #e2d9cb}",
    ".tcw-note .tcw-link{color:#1f4a7a}",
    ".tcw-status{margin:0;padding:.35em .9em;font-size:.85em;background:#fff4d6;color:#4d3b00}",
    ".tcw-status:empty{display:none}",
    ".tcw-log{flex:1 1 auto;overflow-y:auto;padding:.8em;display:flex;flex-direction:column;gap:.55em}",
    ".tcw-msg{max-width:88%;padding:.55em .8em;border-radius:12px;white-space:pre-wrap;",
    "overflow-wrap:anywhere;word-break:break-word}",
    ".tcw-bot{align-self:flex-start;background:var(--tcw-bot);border:1px solid #e4ddd1;border-bottom-left-radius:4px}",
    ".tcw-user{align-self:flex-end;background:var(--tcw-user);border-bottom-right-radius:4px}",
    ".tcw-system{align-self:center;font-size:.85em;color:var(--tcw-muted);text-align:center}",
    ".tcw-pending{opacity:.75;font-style:italic}",
    ".tcw-source{display:block;margin-top:.35em;font-size:.8em;color:var(--tcw-muted)}",
    ".tcw-sr{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;",
    "clip:rect(0,0,0,0);white-space:nowrap;border:0}",
    ".tcw-replies{align-self:flex-start;display:flex;flex-wrap:wrap;gap:.4em;max-width:100%}",
    ".tcw-reply{background:#fff;color:var(--tcw-accent-dark);border-color:var(--tcw-accent);",
    "border-radius:999px}",
    ".tcw-reply:hover{background:#e7f0ed}",
    ".tcw-reply[disabled]{opacity:.6;cursor:default}",
    ".tcw-cards{align-self:stretch;display:grid;gap:.5em;margin:0;padding:0;list-style:none}",
    ".tcw-card{background:#fff;border:1px solid #e4ddd1;border-left:4px solid var(--tcw-accent);",
    "border-radius:10px;padding:.6em .8em}",
    ".tcw-card h3{margin:0 0 .25em;font-size:.95em}",
    ".tcw-card p{margin:.15em 0;font-size:.9em}",
    ".tcw-card .tcw-actions{display:flex;flex-wrap:wrap;gap:.4em;margin-top:.4em}",
    ".tcw-card .tcw-action{display:inline-block;padding:.4em .7em;border-radius:8px;",
    "background:var(--tcw-accent);color:#fff;text-decoration:none;font-size:.9em;min-height:44px;line-height:2}",
    ".tcw-card .tcw-action:hover{background:var(--tcw-accent-dark)}",
    ".tcw-typing{align-self:flex-start;color:var(--tcw-muted);font-size:.9em;padding:0 .9em .3em}",
    ".tcw-typing[hidden]{display:none}",
    ".tcw-dots span{display:inline-block;animation:tcw-blink 1.2s infinite both}",
    ".tcw-dots span:nth-child(2){animation-delay:.2s}.tcw-dots span:nth-child(3){animation-delay:.4s}",
    "@keyframes tcw-blink{0%,80%,100%{opacity:.2}40%{opacity:1}}",
    "@media (prefers-reduced-motion:reduce){.tcw-dots span{animation:none}}",
    ".tcw-form{display:flex;gap:.5em;padding:.6em .8em;border-top:1px solid #e2d9cb;background:#fff}",
    ".tcw-input{flex:1 1 auto;min-width:0;font:inherit;padding:.5em .7em;border:1px solid #7a8584;",
    "border-radius:8px;resize:none;color:var(--tcw-ink);background:#fff}",
    ".tcw-send{background:var(--tcw-accent);color:#fff}",
    ".tcw-send:hover{background:var(--tcw-accent-dark)}",
    ".tcw-foot{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.3em .8em;",
    "padding:.4em .8em .6em;background:#fff;font-size:.8em;color:var(--tcw-muted)}",
    ".tcw-foot p{margin:0;flex:1 1 14em}",
    ".tcw-forget{background:transparent;color:var(--tcw-accent-dark);border-color:#b9c4c2;font-size:.95em}",
    ".tcw a:focus-visible,.tcw button:focus-visible,.tcw textarea:focus-visible{outline:3px solid #c97b00;",
    "outline-offset:2px}",
    ".tcw-head button:focus-visible{outline-color:#ffd27a}"
  ].join("\n");

  // ------------------------------------------------------------------ building the widget

  var inlineHost = null;
  if (config.target) {
    try { inlineHost = document.querySelector(config.target); } catch (e) { inlineHost = null; }
  }
  var inline = !!inlineHost;
  var uid = "tcw-" + Math.random().toString(36).slice(2, 8);

  var style = el("style", { text: CSS });
  style.setAttribute("data-trust-coach", "");
  document.head.appendChild(style);

  var root = el("div", { className: "tcw " + (inline ? "tcw-inline" : "tcw-floating"),
                         "data-trust-coach": "" });

  var launcher = inline ? null : el("button", {
    type: "button", className: "tcw-launcher", "aria-expanded": "false",
    "aria-controls": uid + "-panel", text: "Talk to " + config.title
  });

  var title = el("h2", { id: uid + "-title", className: "tcw-title", text: config.title });
  var exitButton = el("button", { type: "button", className: "tcw-btn tcw-exit",
    text: "Quick exit", "aria-describedby": uid + "-note" });
  var closeButton = inline ? null : el("button", { type: "button",
    className: "tcw-btn tcw-close", text: "Close", "aria-label": "Close chat" });
  var note = el("p", { id: uid + "-note", className: "tcw-note" }, [
    "Someone may be able to see what you browse. Quick exit (or Esc twice) leaves this page " +
    "at once, but it does not erase your browser history. ",
    link(config.privacyUrl, "How to browse privately")
  ]);
  var status = el("p", { className: "tcw-status", role: "status" });
  var log = el("div", { className: "tcw-log", role: "log", "aria-live": "polite",
    "aria-relevant": "additions", "aria-label": "Conversation with " + config.title,
    tabindex: "0" });
  var typing = el("div", { className: "tcw-typing", hidden: true }, [
    el("span", { text: config.title + " is typing" }),
    el("span", { className: "tcw-dots", "aria-hidden": "true" },
      [el("span", { text: "." }), el("span", { text: "." }), el("span", { text: "." })])
  ]);
  var input = el("textarea", { id: uid + "-input", className: "tcw-input", rows: "2",
    maxlength: "20000", autocomplete: "off" });
  var form = el("form", { className: "tcw-form" }, [
    el("label", { "for": uid + "-input", className: "tcw-sr", text: "Your message" }),
    input,
    el("button", { type: "submit", className: "tcw-btn tcw-send", text: "Send" })
  ]);
  var forgetButton = el("button", { type: "button", className: "tcw-btn tcw-forget",
    text: "Forget this conversation" });
  var emergency = el("p", { className: "tcw-emergency" }, [
    "In an emergency, call your local emergency number. Helplines: ",
    link(HELPLINES, "findahelpline.com")
  ]);
  var foot = el("div", { className: "tcw-foot" }, [emergency, forgetButton]);

  var panel = el("section", {
    id: uid + "-panel", className: "tcw-panel", "aria-labelledby": uid + "-title",
    hidden: !inline
  }, [el("div", { className: "tcw-head" }, [title, exitButton, closeButton]),
      note, status, log, typing, form, foot]);
  if (!inline) { panel.setAttribute("role", "dialog"); panel.setAttribute("aria-modal", "false"); }
  else { panel.setAttribute("role", "region"); }

  if (launcher) { root.appendChild(launcher); }
  root.appendChild(panel);
  (inlineHost || document.body).appendChild(root);

  // ------------------------------------------------------------------ messages

  var lastBot = null;

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function add(node) {
    log.appendChild(node);
    scrollDown();
    return node;
  }

  function addText(who, text, extraClass) {
    var node = el("div", { className: "tcw-msg tcw-" + who + (extraClass ? " " + extraClass : "") });
    if (who !== "system") {
      node.appendChild(el("span", { className: "tcw-sr", text: who === "user" ? "You: " : config.title + ": " }));
    }
    node.appendChild(document.createTextNode(String(text)));
    add(node);
    if (who === "bot") { lastBot = node; }
    return node;
  }

  function addReplies(replies) {
    var group = el("div", { className: "tcw-replies", role: "group", "aria-label": "Suggested replies" });
    replies.forEach(function (reply) {
      if (!reply || typeof reply.title !== "string") { return; }
      var payload = typeof reply.payload === "string" ? reply.payload : reply.title;
      var button = el("button", { type: "button", className: "tcw-btn tcw-reply", text: reply.title });
      button.addEventListener("click", function () {
        send(payload, reply.title);
      });
      group.appendChild(button);
    });
    if (group.childNodes.length) { add(group); }
  }

  function telHref(number) {
    var digits = String(number).replace(/[^0-9+]/g, "");
    return digits ? "tel:" + digits : null;
  }

  // "text START to 88788" / "text 988" -> sms:88788?body=START / sms:988
  function smsHref(instruction) {
    var match = /text\s+(?:([A-Za-z][\w]*)\s+to\s+)?([0-9][0-9 ]{1,14}[0-9])/i.exec(String(instruction));
    if (!match) { return null; }
    var number = match[2].replace(/\s+/g, "");
    return "sms:" + number + (match[1] ? "?body=" + encodeURIComponent(match[1]) : "");
  }

  function addResources(payload) {
    var list = el("ul", { className: "tcw-cards", "aria-label": "Places to get help" });
    (Array.isArray(payload.resources) ? payload.resources : []).forEach(function (r) {
      if (!r || typeof r !== "object" || typeof r.name !== "string") { return; }
      var actions = el("div", { className: "tcw-actions" });
      var tel = r.phone ? telHref(r.phone) : null;
      if (tel) {
        actions.appendChild(el("a", { className: "tcw-action", href: tel,
          text: "Call " + r.phone, "aria-label": "Call " + r.name + " on " + r.phone }));
      }
      var sms = r.text ? smsHref(r.text) : null;
      if (sms) {
        actions.appendChild(el("a", { className: "tcw-action", href: sms,
          text: r.text.charAt(0).toUpperCase() + r.text.slice(1),
          "aria-label": r.text + " (" + r.name + ")" }));
      }
      var chat = r.chat_url ? safeUrl(r.chat_url, ["http:", "https:"], null) : null;
      if (chat) {
        var c = link(chat, "Chat online", "Chat online with " + r.name + " (opens in a new tab)");
        c.className = "tcw-action";
        actions.appendChild(c);
      }
      var site = r.source ? safeUrl(r.source, ["http:", "https:"], null) : null;
      var card = el("li", { className: "tcw-card" }, [
        el("h3", { text: r.name }),
        r.text && !sms ? el("p", { text: r.text }) : null,
        r.hours ? el("p", { text: "Open: " + r.hours }) : null,
        actions.childNodes.length ? actions : null,
        site && !chat && !tel ? el("p", {}, [link(site, site.replace(/^https?:\/\/(www\.)?/, "").replace(/\/$/, ""),
          r.name + " website (opens in a new tab)")]) : null
      ]);
      list.appendChild(card);
    });
    if (list.childNodes.length) { add(list); }
  }

  function addSource(payload) {
    var source = payload.source;
    if (!source || typeof source !== "object" || typeof source.title !== "string") { return; }
    var text = "Source: " + source.title + (typeof source.section === "string" && source.section ? ", " + source.section : "");
    var line = el("span", { className: "tcw-source", text: text });
    if (lastBot) { lastBot.appendChild(line); scrollDown(); }
    else { add(el("div", { className: "tcw-msg tcw-system" }, [line])); }
  }

  function receive(message) {
    hideTyping();
    if (!message || typeof message !== "object") { return; }
    if (typeof message.text === "string" && message.text.trim()) {
      addText("bot", message.text);
    }
    var replies = message.quick_replies ||
      (message.attachment && message.attachment.payload && message.attachment.payload.buttons);
    if (Array.isArray(replies) && replies.length) { addReplies(replies); }
    var custom = message.custom;
    if (custom && typeof custom === "object") {
      if (custom.type === "safety_resources") { addResources(custom); }
      else if (custom.type === "guidance_source") { addSource(custom); }
    }
  }

  var typingTimer = null;
  function showTyping() {
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 20000);
    scrollDown();
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  // ------------------------------------------------------------------ connection

  var session = loadSessionId();
  var socket = null;
  var confirmed = false;
  var outbox = [];

  function setStatus(text) { status.textContent = text || ""; }

  function metadata() {
    return config.locale ? { locale: config.locale } : {};
  }

  function flush() {
    while (confirmed && socket && socket.connected && outbox.length) {
      var item = outbox.shift();
      socket.emit("user_uttered", { message: item.message, session_id: session.id, metadata: metadata() });
      if (item.node) { item.node.classList.remove("tcw-pending"); }
      showTyping();
    }
  }

  function send(message, shown) {
    var text = String(message);
    if (!text.trim()) { return; }
    var node = addText("user", shown === undefined ? text : shown);
    var item = { message: text, node: node };
    outbox.push(item);
    if (!(confirmed && socket && socket.connected)) {
      node.classList.add("tcw-pending");
      setStatus("Can't reach the coach right now. Your message will be sent when the connection is back. Still trying…");
    }
    flush();
  }

  function connect() {
    if (!config.server) {
      setStatus("This chat is not set up (no data-server). In an emergency, call your local emergency number.");
      return;
    }
    if (typeof window.io !== "function") {
      setStatus("Can't reach the coach right now. Trying again…");
      return;
    }
    setStatus("Connecting…");
    socket = window.io(config.server, { path: "/socket.io", reconnection: true,
      reconnectionDelay: 1000, reconnectionDelayMax: 10000, timeout: 8000 });
    socket.on("connect", function () {
      confirmed = false;
      socket.emit("session_request", { session_id: session.id });
    });
    socket.on("session_confirm", function (id) {
      if (id !== session.id) { return; }  // an old session's confirmation after "forget"
      confirmed = true;
      setStatus("");
      flush();
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", function () {
      confirmed = false;
      hideTyping();
      setStatus("Can't reach the coach right now. Trying again…");
    });
    socket.on("connect_error", function () {
      confirmed = false;
      setStatus("Can't reach the coach right now. Trying again…");
    });
  }

  function loadClient(callback) {
    if (typeof window.io === "function") { callback(); return; }
    var s = document.createElement("script");
    s.src = base + "socket.io.min.js";
    s.async = true;
    var tries = 0;
    s.onload = callback;
    s.onerror = function () {
      setStatus("Can't reach the coach right now. Trying again…");
      tries += 1;
      setTimeout(function () {
        s.remove();
        var again = document.createElement("script");
        again.src = base + "socket.io.min.js?retry=" + tries;
        again.onload = callback;
        again.onerror = s.onerror;
        document.head.appendChild(again);
        s = again;
      }, Math.min(10000, 1000 * tries));
    };
    document.head.appendChild(s);
  }

  function greeting() {
    if (session.fresh) {
      addText("system", "This is an automated coach, not a therapist or a crisis service. Say hello, or tell me what happened.");
    } else {
      addText("system", "Your conversation continues. For your privacy, earlier messages are not kept on this device.");
    }
  }

  // ------------------------------------------------------------------ controls

  function isOpen() { return inline || !panel.hidden; }

  function open() {
    if (inline) { return; }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
    scrollDown();
  }

  function close() {
    if (inline) { return; }
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function quickExit() {
    clearStorage();
    try { if (socket) { socket.disconnect(); } } catch (e) { /* leaving anyway */ }
    log.textContent = "";
    window.location.replace(config.exitUrl);
  }

  function forget() {
    clearStorage();
    outbox = [];
    hideTyping();
    log.textContent = "";
    lastBot = null;
    session = loadSessionId();
    addText("system", "That conversation is forgotten on this device. This is a new conversation.");
    if (socket) {
      confirmed = false;
      if (socket.connected) { socket.emit("session_request", { session_id: session.id }); }
    }
    input.value = "";
    input.focus();
  }

  if (launcher) {
    launcher.addEventListener("click", function () { if (isOpen()) { close(); } else { open(); } });
  }
  if (closeButton) { closeButton.addEventListener("click", close); }
  exitButton.addEventListener("click", quickExit);
  forgetButton.addEventListener("click", forget);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
    }
  });

  // Quick exit from the keyboard, anywhere on the page: Escape twice within a second, or Shift
  // three times within a second (as GOV.UK's exit-this-page). A single key does nothing.
  var presses = { Escape: [], Shift: [] };
  document.addEventListener("keydown", function (event) {
    if (event.repeat) { return; }
    var key = event.key;
    if (key !== "Escape" && key !== "Shift") {
      presses.Escape = []; presses.Shift = [];
      return;
    }
    var now = Date.now();
    var list = presses[key].filter(function (t) { return now - t < 1000; });
    list.push(now);
    presses[key] = list;
    presses[key === "Escape" ? "Shift" : "Escape"] = [];
    if ((key === "Escape" && list.length >= 2) || (key === "Shift" && list.length >= 3)) {
      presses.Escape = []; presses.Shift = [];
      quickExit();
    }
  }, true);

  window.TrustCoachWidget = { open: open, close: close, forget: forget, quickExit: quickExit };

  greeting();
  if (config.open) { open(); }
  loadClient(connect);
})();
