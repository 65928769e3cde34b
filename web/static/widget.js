/*
 * dialogd chat widget, protocol v1.
 *
 * Embed with one tag:
 *   <script src="https://bot.example.com/widget.js" data-bot-url="https://bot.example.com" async></script>
 * Optional attributes: data-title, data-open="true", data-identity-token,
 * data-bot (which bot of a server that serves several).
 * Host API: window.DialogdWidget.open(), close(), send(text), setIdentity(token).
 *
 * Text from the server is only ever assigned with textContent.
 */
(function () {
  'use strict';

  if (window.DialogdWidget && window.DialogdWidget.version) {
    return; // already loaded on this page
  }

  var VERSION = '1';
  var MAX_LOG = 50;         // transcript entries kept in localStorage
  var MAX_PENDING = 20;     // unanswered client frames kept for resending
  var MAX_SEEN = 64;        // seqs of the most recent frames shown, kept to drop repeats
  var BACKOFF_BASE = 400;   // ms, first reconnect delay before jitter
  var BACKOFF_CAP = 10000;  // ms
  var TYPING_TIMEOUT = 20000;
  var AGENT_TYPING_TIMEOUT = 6000; // an agent's page repeats agent_typing every 2 s while they type
  var POPUP_NAME = 'dlgd_authorize';

  // ---- configuration -----------------------------------------------------

  var script = document.currentScript || findScript();

  function findScript() {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#]|$)/.test(all[i].src)) {
        return all[i];
      }
    }
    return null;
  }

  function attr(name) {
    var v = script && script.getAttribute(name);
    return v == null ? '' : String(v).trim();
  }

  var scriptURL = new URL(script && script.src ? script.src : location.href, location.href);
  var botURL = parseHTTPURL(attr('data-bot-url')) || new URL(scriptURL.origin + '/');
  if (!/\/$/.test(botURL.pathname)) {
    botURL.pathname += '/';
  }
  var socketURL = new URL('ws', botURL);
  socketURL.protocol = socketURL.protocol === 'https:' ? 'wss:' : 'ws:';
  socketURL.search = '';
  socketURL.hash = '';
  var botName = attr('data-bot');
  if (botName) {
    socketURL.searchParams.set('bot', botName);
  }
  // data-lang fixes the reply language (the server otherwise follows the
  // language of each message).
  var fixedLang = attr('data-lang');
  if (fixedLang) {
    socketURL.searchParams.set('lang', fixedLang);
  }
  var cssURL = new URL('widget.css', scriptURL).href;
  var title = attr('data-title') || 'Chat';
  var identity = attr('data-identity-token') || '';
  var storageKey = 'dialogd:v1:' + socketURL.href;

  function parseHTTPURL(s) {
    if (!s) {
      return null;
    }
    try {
      var u = new URL(s, location.href);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
    } catch (e) {
      return null;
    }
  }

  // ---- persisted state ---------------------------------------------------

  // state.sid: session id; state.user: the user id the server gave (sent
  // back in the hello frame so the browser keeps one identity across sessions);
  // state.seq: highest seq rendered (sent as last_seq); state.seen: the
  // seqs of the most recent frames rendered, ascending (a frame may come
  // out of order; anything below the oldest counts as rendered);
  // state.log: the rendered transcript; state.pending: client frames
  // without a reply yet; state.agent: the name of the human agent in the
  // conversation, '' when the bot has it; state.queued: waiting for one;
  // state.lang: the conversation's language as the server's texts show it
  // (see noteLang).
  var state = load();

  function load() {
    var s = null;
    try {
      s = JSON.parse(window.localStorage.getItem(storageKey) || 'null');
    } catch (e) {
      s = null;
    }
    if (!s || typeof s !== 'object') {
      s = {};
    }
    return {
      sid: typeof s.sid === 'string' ? s.sid : '',
      user: typeof s.user === 'string' ? s.user : '',
      seq: typeof s.seq === 'number' && s.seq >= 0 ? s.seq : 0,
      seen: Array.isArray(s.seen) ? s.seen.filter(isSeq).sort(function (a, b) { return a - b; }).slice(-MAX_SEEN) : [],
      log: Array.isArray(s.log) ? s.log.filter(isEntry).slice(-MAX_LOG) : [],
      pending: Array.isArray(s.pending) ? s.pending.filter(isFrame).slice(-MAX_PENDING) : [],
      agent: typeof s.agent === 'string' ? s.agent : '',
      queued: s.queued === true,
      lang: typeof s.lang === 'string' ? s.lang : '',
      open: s.open === true
    };
  }

  function isSeq(n) {
    return typeof n === 'number' && n > 0 && Math.floor(n) === n;
  }

  function isEntry(e) {
    return e && typeof e === 'object' && typeof e.role === 'string' && typeof e.text === 'string';
  }

  function isFrame(f) {
    return f && typeof f === 'object' && typeof f.id === 'string' &&
      (f.type === 'message' || f.type === 'postback');
  }

  function save() {
    if (state.log.length > MAX_LOG) {
      state.log = state.log.slice(-MAX_LOG);
    }
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(state));
    } catch (e) {
      // storage full or disabled: the widget still works for this page
    }
  }

  // ---- DOM helpers -------------------------------------------------------

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) {
      n.className = cls;
    }
    if (text != null) {
      n.textContent = String(text);
    }
    return n;
  }

  function icon() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z');
    svg.appendChild(path);
    return svg;
  }

  var uid = randomID().slice(0, 8);

  function randomID() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    var s = '';
    for (var i = 0; i < b.length; i++) {
      s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    }
    return s;
  }

  // ---- build the widget --------------------------------------------------

  var link = el('link');
  link.rel = 'stylesheet';
  link.href = cssURL;
  (document.head || document.documentElement).appendChild(link);

  var root = el('div', 'dlgd-root');
  root.setAttribute('data-state', 'idle');

  var panel = el('section', 'dlgd-panel');
  panel.id = 'dlgd-panel-' + uid;
  panel.setAttribute('aria-label', title);
  panel.hidden = true;

  var header = el('div', 'dlgd-header');
  var heading = el('div', 'dlgd-heading');
  var titleEl = el('h2', 'dlgd-title', title);
  var statusEl = el('span', 'dlgd-status', '');
  heading.appendChild(titleEl);
  heading.appendChild(statusEl);
  var closeBtn = el('button', 'dlgd-close', '\u00d7');
  closeBtn.type = 'button';
  closeBtn.setAttribute('aria-label', 'Close chat');
  header.appendChild(heading);
  header.appendChild(closeBtn);

  var logEl = el('div', 'dlgd-log');
  logEl.setAttribute('role', 'log');
  logEl.setAttribute('aria-live', 'polite');
  logEl.setAttribute('aria-relevant', 'additions');
  logEl.setAttribute('aria-label', 'Conversation');
  logEl.tabIndex = 0;

  // The log follows its end while the reader is there: quick replies and
  // the typing indicator take room from the log, and must not hide the end
  // of the last message. A reader who scrolled up stays where they are.
  var followEnd = true;
  logEl.addEventListener('scroll', function () {
    followEnd = logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 24;
  });
  if (typeof window.ResizeObserver === 'function') {
    new window.ResizeObserver(keepEnd).observe(logEl);
  }

  function scrollToEnd() {
    logEl.scrollTop = logEl.scrollHeight;
    followEnd = true;
  }

  function keepEnd() {
    if (followEnd) {
      logEl.scrollTop = logEl.scrollHeight;
    }
  }

  var typingEl = el('div', 'dlgd-typing');
  typingEl.setAttribute('role', 'status');
  typingEl.setAttribute('aria-label', 'The bot is typing');
  typingEl.hidden = true;
  var typingWho = el('span', 'dlgd-typing-who');
  typingWho.hidden = true;
  typingEl.appendChild(typingWho);
  for (var d = 0; d < 3; d++) {
    typingEl.appendChild(el('span', 'dlgd-dot'));
  }

  var quickEl = el('div', 'dlgd-quick');
  quickEl.setAttribute('role', 'group');
  quickEl.setAttribute('aria-label', 'Suggested replies');
  quickEl.hidden = true;

  var form = el('form', 'dlgd-form');
  form.setAttribute('novalidate', '');
  var inputId = 'dlgd-input-' + uid;
  var label = el('label', 'dlgd-sr-only', 'Type your message');
  label.htmlFor = inputId;
  var input = el('input', 'dlgd-input');
  input.id = inputId;
  input.type = 'text';
  input.autocomplete = 'off';
  input.maxLength = 2000;
  input.placeholder = 'Type a message\u2026';
  var sendBtn = el('button', 'dlgd-send', 'Send');
  sendBtn.type = 'submit';
  sendBtn.setAttribute('aria-label', 'Send message');
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendBtn);

  panel.appendChild(header);
  panel.appendChild(logEl);
  panel.appendChild(typingEl);
  panel.appendChild(quickEl);
  panel.appendChild(form);

  var launcher = el('button', 'dlgd-launcher');
  launcher.type = 'button';
  launcher.setAttribute('aria-label', 'Open chat: ' + title);
  launcher.setAttribute('aria-controls', panel.id);
  launcher.setAttribute('aria-expanded', 'false');
  launcher.appendChild(icon());
  var badge = el('span', 'dlgd-badge');
  badge.hidden = true;
  launcher.appendChild(badge);

  root.appendChild(panel);
  root.appendChild(launcher);

  // Restore the transcript before the log is in the document, so that
  // screen readers do not read the whole history out again.
  for (var i = 0; i < state.log.length; i++) {
    renderEntry(state.log[i]);
  }
  for (var p = 0; p < state.pending.length; p++) {
    markPending(state.pending[p].id, true);
  }
  showQuickReplies(lastQuickReplies());

  // ---- rendering ---------------------------------------------------------

  function addEntry(entry) {
    state.log.push(entry);
    save();
    renderEntry(entry);
    if (panel.hidden && entry.role !== 'user') {
      badge.hidden = false;
    }
  }

  function renderEntry(e) {
    var row;
    switch (e.role) {
      case 'user':
        row = el('div', 'dlgd-msg dlgd-msg-user');
        row.appendChild(el('p', 'dlgd-bubble', e.text));
        if (e.id) {
          row.setAttribute('data-id', e.id);
        }
        break;
      case 'bot':
        row = el('div', 'dlgd-msg dlgd-msg-bot');
        // With a card, the text holds the card as plain text too: show
        // the lead sentence and the card instead.
        var said = e.card ? e.lead : e.text;
        if (said) {
          row.appendChild(el('p', 'dlgd-bubble', said));
        }
        if (e.card) {
          row.appendChild(recordCard(e.card));
        }
        if (e.buttons && e.buttons.length) {
          var group = el('div', 'dlgd-buttons');
          group.setAttribute('role', 'group');
          for (var i = 0; i < e.buttons.length; i++) {
            group.appendChild(choiceButton(e.buttons[i], false));
          }
          row.appendChild(group);
        }
        break;
      case 'authorize':
        row = el('div', 'dlgd-msg dlgd-msg-bot dlgd-msg-authorize');
        row.appendChild(authorizeCard(e));
        break;
      case 'handoff':
        row = el('div', 'dlgd-msg dlgd-msg-notice');
        row.appendChild(el('p', 'dlgd-notice', e.text));
        break;
      case 'queue':
        row = el('div', 'dlgd-msg dlgd-msg-notice dlgd-msg-queue');
        row.appendChild(el('p', 'dlgd-notice', e.text));
        break;
      case 'agent_event':
        row = el('div', 'dlgd-msg dlgd-msg-notice dlgd-msg-agent-event');
        row.appendChild(el('p', 'dlgd-notice', e.text));
        break;
      case 'agent':
        // A person, not the bot: their name above a bubble of its own colour.
        row = el('div', 'dlgd-msg dlgd-msg-agent');
        row.appendChild(el('p', 'dlgd-agent-name', e.name || 'Agent'));
        row.appendChild(el('p', 'dlgd-bubble', e.text));
        break;
      default: // 'system'
        row = el('div', 'dlgd-msg dlgd-msg-system');
        row.appendChild(el('p', 'dlgd-system', e.text));
    }
    if (typeof e.seq === 'number') {
      row.setAttribute('data-seq', String(e.seq));
    }
    logEl.appendChild(row);
    scrollToEnd();
    return row;
  }

  function choiceButton(b, quick) {
    if (b.url) {
      return linkButton(b, quick ? 'dlgd-btn dlgd-chip dlgd-link' : 'dlgd-btn dlgd-link');
    }
    var btn = el('button', quick ? 'dlgd-btn dlgd-chip' : 'dlgd-btn', b.title);
    btn.type = 'button';
    if (b.subtitle) {
      btn.appendChild(el('span', 'dlgd-btn-sub', b.subtitle));
    }
    btn.addEventListener('click', function () {
      postback(b.payload, b.title); // hides and forgets the chips too
    });
    return btn;
  }

  // linkButton opens a record in its system (a new tab) and sends nothing.
  function linkButton(b, cls) {
    var a = el('a', cls, b.title);
    a.href = b.url;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }

  // recordCard shows a record: title, subtitle, labelled fields and its
  // View link.
  function recordCard(c) {
    var card = el('div', 'dlgd-card dlgd-record');
    card.appendChild(el('p', 'dlgd-record-title', c.title));
    if (c.subtitle) {
      card.appendChild(el('p', 'dlgd-record-sub', c.subtitle));
    }
    if (c.fields && c.fields.length) {
      var dl = el('dl', 'dlgd-record-fields');
      for (var i = 0; i < c.fields.length; i++) {
        dl.appendChild(el('dt', '', c.fields[i].label));
        dl.appendChild(el('dd', '', c.fields[i].value));
      }
      card.appendChild(dl);
    }
    if (c.link) {
      card.appendChild(linkButton(c.link, 'dlgd-btn dlgd-link'));
    }
    return card;
  }

  function authorizeCard(e) {
    var card = el('div', 'dlgd-card dlgd-authorize');
    card.appendChild(el('p', 'dlgd-card-text', e.text || 'Please sign in to continue.'));
    if (e.done) {
      // The server went on without an input: the sign-in is over, and its
      // link (single use) is spent.
      var done = el('button', 'dlgd-btn dlgd-authorize-btn dlgd-authorize-done', '\u2713 Sign-in complete');
      done.type = 'button';
      done.disabled = true;
      card.classList.add('dlgd-card-done');
      card.appendChild(done);
      return card;
    }
    var url = parseHTTPURL(e.url);
    if (!url) {
      card.appendChild(el('span', 'dlgd-hint', 'The sign-in link is not valid.'));
      return card;
    }
    var btn = el('button', 'dlgd-btn dlgd-btn-primary dlgd-authorize-btn', 'Sign in');
    btn.type = 'button';
    btn.setAttribute('aria-label', 'Sign in (opens a new window)');
    btn.addEventListener('click', function () {
      if (!openPopup(url.href)) {
        var a = el('a', 'dlgd-btn dlgd-btn-primary dlgd-authorize-link', 'Open the sign-in page');
        a.href = url.href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        btn.replaceWith(a);
        card.appendChild(el('span', 'dlgd-hint', 'Your browser blocked the sign-in window. Use the link instead.'));
        a.focus();
      }
    });
    card.appendChild(btn);
    return card;
  }

  function openPopup(href) {
    var w = 520;
    var h = 680;
    var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || w) - w) / 2);
    var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || h) - h) / 2);
    var win = null;
    try {
      win = window.open(href, POPUP_NAME,
        'popup=yes,width=' + w + ',height=' + h + ',left=' + Math.round(left) + ',top=' + Math.round(top));
    } catch (err) {
      win = null;
    }
    if (!win) {
      return false;
    }
    try {
      win.opener = null; // the sign-in page must not reach back into the host page
      win.focus();
    } catch (err) {
      // cross-origin access is not needed
    }
    return true;
  }

  // finishAuthorizations marks every open authorize card done: the server
  // pushed a frame no input asked for, which is how a parked dialog goes
  // on once the user has signed in (or refused) in the other window.
  function finishAuthorizations() {
    var changed = false;
    for (var i = 0; i < state.log.length; i++) {
      var e = state.log[i];
      if (e.role !== 'authorize' || e.done) {
        continue;
      }
      e.done = true;
      changed = true;
      var row = typeof e.seq === 'number' ? logEl.querySelector('.dlgd-msg-authorize[data-seq="' + e.seq + '"]') : null;
      if (row) {
        row.replaceChild(authorizeCard(e), row.firstChild);
      }
    }
    if (changed) {
      save();
    }
  }

  function lastQuickReplies() {
    var last = state.log[state.log.length - 1];
    return last && last.role === 'bot' && last.quick && last.quick.length ? last.quick : null;
  }

  function showQuickReplies(list) {
    while (quickEl.firstChild) {
      quickEl.removeChild(quickEl.firstChild);
    }
    quickEl.hidden = !list;
    if (!list) {
      return;
    }
    for (var i = 0; i < list.length; i++) {
      quickEl.appendChild(choiceButton(list[i], true));
    }
    keepEnd(); // the chips took room from the log
  }

  // clearQuickReplies forgets the chips of the last bot message, so that a
  // reload does not bring used chips back.
  function clearQuickReplies() {
    var last = state.log[state.log.length - 1];
    if (last && last.quick) {
      delete last.quick;
      save();
    }
  }

  var typingTimer = 0;

  // showTyping shows the typing indicator: the bot's (who empty) or a
  // human agent's, with their name.
  function showTyping(who) {
    typingWho.textContent = who ? who + ' is typing' : '';
    typingWho.hidden = !who;
    typingEl.setAttribute('aria-label', who ? who + ' is typing' : 'The bot is typing');
    typingEl.classList.toggle('dlgd-typing-agent', !!who);
    typingEl.hidden = false;
    keepEnd();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, who ? AGENT_TYPING_TIMEOUT : TYPING_TIMEOUT);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typingEl.hidden = true;
  }

  function markPending(id, on) {
    var rows = logEl.querySelectorAll('.dlgd-msg-user');
    for (var i = rows.length - 1; i >= 0; i--) {
      if (rows[i].getAttribute('data-id') === id) {
        rows[i].classList.toggle('dlgd-msg-pending', on);
        return;
      }
    }
  }

  function setStatus(s) {
    root.setAttribute('data-state', s);
    statusEl.textContent = {
      idle: '',
      connecting: 'Connecting\u2026',
      connected: state.agent ? state.agent + agentLabel('agent') : state.queued ? agentLabel('waiting') : 'Online',
      offline: 'Reconnecting\u2026'
    }[s] || '';
  }

  // ---- sending -----------------------------------------------------------

  function sendText(text) {
    text = String(text == null ? '' : text).trim();
    if (!text) {
      return '';
    }
    var f = { type: 'message', id: randomID(), text: text };
    submit(f);
    return f.id;
  }

  function postback(payload, text) {
    var f = { type: 'postback', id: randomID(), payload: String(payload == null ? '' : payload), text: String(text || '') };
    submit(f);
    return f.id;
  }

  // submit shows the user's bubble, keeps the frame until a reply names it
  // and sends it now or after the next (re)connect.
  function submit(f) {
    hideTyping(); // a new user turn starts; a stale indicator goes
    showQuickReplies(null);
    clearQuickReplies();
    addEntry({ role: 'user', text: f.text || f.payload, id: f.id });
    state.pending.push(f);
    if (state.pending.length > MAX_PENDING) {
      state.pending.shift();
    }
    save();
    if (ready && sock && !replaying) {
      markPending(f.id, false);
      sock.send(JSON.stringify(f));
    } else {
      markPending(f.id, true);
      connectSoon();
    }
  }

  // acknowledge drops the pending frame a server frame replies to.
  function acknowledge(id) {
    if (!id) {
      return;
    }
    for (var i = 0; i < state.pending.length; i++) {
      if (state.pending[i].id === id) {
        state.pending.splice(i, 1);
        save();
        return;
      }
    }
  }

  // ---- connection --------------------------------------------------------

  var sock = null;
  var ready = false;   // the current socket has received its session frame
  var replaying = false; // the server replays what was missed; re-sending waits for its end
  var attempt = 0;
  var retryTimer = 0;
  var started = false; // the widget has wanted a connection at least once
  var identityRefused = false; // the server refused the identity token

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    if (sock) {
      return;
    }
    started = true;
    // The ids and the identity token are credentials: they go in the
    // first frame (hello), never in the URL, which proxies and servers log.
    var u = new URL(socketURL.href);
    u.searchParams.set('hello', '1');
    setStatus('connecting');
    var s;
    try {
      s = new WebSocket(u.href);
    } catch (err) {
      scheduleReconnect();
      return;
    }
    sock = s;
    ready = false;
    replaying = false;
    s.onopen = function () {
      if (sock !== s) {
        return;
      }
      var hello = { type: 'hello' };
      if (state.sid) {
        hello.session = state.sid;
        hello.last_seq = state.seq;
      }
      if (state.user) {
        hello.user = state.user;
      }
      if (identity) {
        hello.identity = identity;
      }
      if (fixedLang) {
        hello.lang = fixedLang;
      }
      try {
        s.send(JSON.stringify(hello));
      } catch (err) {
        // the close handler reconnects
      }
    };
    s.onmessage = function (ev) {
      if (sock !== s) {
        return;
      }
      var f;
      try {
        f = JSON.parse(ev.data);
      } catch (err) {
        return;
      }
      if (f && typeof f === 'object' && typeof f.type === 'string') {
        handleFrame(f);
      }
    };
    s.onclose = function () {
      if (sock !== s) {
        return;
      }
      sock = null;
      ready = false;
      hideTyping();
      if (identityRefused) {
        // The same token would be refused again: wait for setIdentity or
        // for the visitor to send something.
        setStatus('idle');
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    setStatus('offline');
    var max = Math.min(BACKOFF_CAP, BACKOFF_BASE * Math.pow(2, attempt));
    var delay = max / 2 + Math.random() * max / 2;
    attempt++;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  // connectSoon connects now when no socket is open or being opened: a user
  // who just typed something should not wait for the backoff timer.
  function connectSoon() {
    if (!sock) {
      connect();
    }
  }

  function reconnectNow() {
    var s = sock;
    sock = null;
    ready = false;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      try {
        s.close(1000);
      } catch (err) {
        // already closing
      }
    }
    attempt = 0;
    connect();
  }

  function handleFrame(f) {
    if (f.type === 'session') {
      if (typeof f.session_id !== 'string' || !f.session_id) {
        return;
      }
      if (f.session_id !== state.sid) {
        // a new session, or the old one was refused: its numbering is gone
        if (state.sid && state.log.length) {
          addEntry({ role: 'system', text: 'A new conversation started.' });
        }
        state.sid = f.session_id;
        state.seq = 0;
        state.seen = [];
      }
      if (typeof f.user_id === 'string' && f.user_id) {
        state.user = f.user_id;
      }
      identityRefused = false;
      ready = true;
      attempt = 0;
      setStatus('connected');
      save();
      // A resume's replay ends with a replayed frame; the replay may
      // answer pending frames, so they wait for it. A server that does
      // not announce a replay gets them at once.
      replaying = f.replay === true;
      if (!replaying) {
        flushPending();
      }
      return;
    }
    if (f.type === 'replayed') {
      endReplay(f);
      return;
    }
    if (f.type === 'typing') {
      showTyping();
      return;
    }
    if (f.type === 'agent_typing') {
      showTyping(typeof f.agent === 'string' && f.agent ? f.agent : 'The agent');
      return;
    }
    if (typeof f.seq === 'number') {
      if (shown(f.seq)) {
        return; // rendered already
      }
      noteShown(f.seq);
      hideTyping();
    }
    if (typeof f.reply_to === 'string') {
      acknowledge(f.reply_to);
    } else if (typeof f.seq === 'number') {
      finishAuthorizations();
    }
    switch (f.type) {
      case 'message':
        if (!f.text && !f.lead && !f.card && !(f.buttons && f.buttons.length) && !(f.quick_replies && f.quick_replies.length)) {
          // Nothing to show: the frame only ends a turn (an input the bot
          // passed on to a human agent, say).
          if (f.input === 'ignoring') {
            showTyping();
          }
          save();
          break;
        }
        noteLang(f);
        if (state.queued && !state.agent) {
          state.queued = false; // the bot speaks again: the user left the queue
          setStatus(root.getAttribute('data-state'));
        }
        addEntry({
          role: 'bot',
          seq: f.seq,
          text: typeof f.text === 'string' ? f.text : '',
          lead: typeof f.lead === 'string' ? f.lead : '',
          card: card(f.card),
          buttons: choices(f.buttons),
          quick: choices(f.quick_replies)
        });
        showQuickReplies(lastQuickReplies());
        if (f.input === 'ignoring') {
          showTyping(); // more of this turn is on its way
        } else if (!panel.hidden && f.input === 'expecting') {
          input.focus();
        }
        break;
      case 'authorize':
        addEntry({
          role: 'authorize',
          seq: f.seq,
          text: typeof f.text === 'string' ? f.text : '',
          url: typeof f.url === 'string' ? f.url : ''
        });
        showQuickReplies(null);
        break;
      case 'handoff':
        // Without a text the bot's message before it said it already.
        if (typeof f.text === 'string' && f.text) {
          noteLang(f);
          addEntry({ role: 'handoff', seq: f.seq, text: f.text });
        } else {
          save();
        }
        showQuickReplies(null);
        break;
      case 'queued':
      case 'agent_joined':
      case 'agent_message':
      case 'agent_left':
        agentFrame(f);
        break;
      case 'error':
        if (f.code === 'bad_identity') {
          identityRefused = true;
        }
        hideTyping();
        addEntry({ role: 'system', text: typeof f.message === 'string' && f.message ? f.message : 'Something went wrong.' });
        break;
      default:
        // unknown frame types are ignored, so newer servers stay compatible
        save();
    }
  }

  // agentFrame renders the frames of a conversation handed to a human
  // agent: the place in the queue, the agent joining, their messages and
  // their leaving.
  function agentFrame(f) {
    var name = typeof f.agent === 'string' && f.agent ? f.agent : 'The agent';
    var text = typeof f.text === 'string' ? f.text : '';
    showQuickReplies(null);
    if (f.type !== 'agent_message') {
      noteLang(f); // the desk's own texts; an agent may write in any language
    }
    switch (f.type) {
      case 'queued':
        state.queued = true;
        showQueued({ role: 'queue', seq: f.seq, text: text || queuedText(f.position, f.wait_seconds) });
        break;
      case 'agent_joined':
        state.agent = name;
        state.queued = false;
        addEntry({ role: 'agent_event', seq: f.seq, text: text || name + ' joined the conversation.' });
        break;
      case 'agent_message':
        addEntry({ role: 'agent', seq: f.seq, name: name, text: text });
        break;
      default: // agent_left
        state.agent = '';
        state.queued = false;
        addEntry({ role: 'agent_event', seq: f.seq, text: text || name + ' left the conversation.' });
    }
    setStatus(root.getAttribute('data-state'));
  }

  // The widget's own labels for a conversation with an agent, in the
  // conversation's language (agent follows the agent's name).
  var LABELS = {
    en: { waiting: 'Waiting for an agent\u2026', agent: ' (agent)' },
    de: { waiting: 'Warten auf einen Mitarbeiter\u2026', agent: ' (Mitarbeiter)' },
    ja: { waiting: '\u62c5\u5f53\u8005\u3092\u5f85\u3063\u3066\u3044\u307e\u3059\u2026', agent: '\uff08\u62c5\u5f53\u8005\uff09' }
  };

  function agentLabel(key) {
    var lang = String(state.lang || fixedLang || '').toLowerCase().split(/[-_]/)[0];
    return (LABELS[lang] || LABELS.en)[key];
  }

  // noteLang keeps the conversation's language from a server frame: its
  // lang field when it has one, else a guess from its text (the server
  // words its texts in the conversation's language; the script tells
  // Japanese, common words German). A data-lang attribute fixes it.
  function noteLang(f) {
    if (typeof f.lang === 'string' && f.lang) {
      state.lang = f.lang;
      return;
    }
    var text = typeof f.text === 'string' ? f.text : typeof f.lead === 'string' ? f.lead : '';
    if (fixedLang || !text) {
      return;
    }
    if (/[\u3040-\u30ff\u4e00-\u9fff]/.test(text)) {
      state.lang = 'ja';
    } else if (/[\u00e4\u00f6\u00fc\u00df]|\b(?:ich|Sie|ist|und|nicht|der|die|das|ein|eine|mit|bitte|Mitarbeiter|Gespr\u00e4ch)\b/i.test(text)) {
      state.lang = 'de';
    } else if (/[a-z]{2}/i.test(text)) {
      state.lang = 'en';
    }
  }

  // showQueued shows the place in the queue. A new place replaces the
  // notice right above it, so waiting does not fill the log; the row is
  // rendered again, so that screen readers read the new place.
  function showQueued(entry) {
    var last = state.log[state.log.length - 1];
    var row = logEl.lastElementChild;
    if (last && last.role === 'queue' && row && row.classList.contains('dlgd-msg-queue')) {
      state.log[state.log.length - 1] = entry;
      save();
      logEl.removeChild(row);
      renderEntry(entry);
      return;
    }
    addEntry(entry);
  }

  function queuedText(position, waitSeconds) {
    var s = typeof position === 'number' && position > 0 ? 'You are number ' + position + ' in the queue.' : 'You are in the queue.';
    if (typeof waitSeconds === 'number' && waitSeconds > 0) {
      var m = Math.round(waitSeconds / 60);
      s += m < 1 ? ' Expected wait: less than a minute.' : ' Expected wait: about ' + m + (m === 1 ? ' minute.' : ' minutes.');
    }
    return s;
  }

  // shown reports whether the frame numbered seq has been rendered.
  function shown(seq) {
    if (!state.seen.length) {
      return seq <= state.seq;
    }
    return seq < state.seen[0] || state.seen.indexOf(seq) >= 0;
  }

  function noteShown(seq) {
    var i = state.seen.length;
    while (i > 0 && state.seen[i - 1] > seq) {
      i--;
    }
    state.seen.splice(i, 0, seq);
    if (state.seen.length > MAX_SEEN) {
      state.seen.shift();
    }
    state.seq = Math.max(state.seq, seq);
  }

  // endReplay handles the frame that ends a resume's replay, then sends
  // what is still unanswered. A last_seq below ours means the server no
  // longer has the frames we rendered (the conversation expired there):
  // its numbering starts again, so ours does too.
  function endReplay(f) {
    if (typeof f.last_seq === 'number' && f.last_seq >= 0 && f.last_seq < state.seq) {
      state.seq = f.last_seq;
      state.seen = [];
      addEntry({ role: 'system', text: 'A new conversation started.' });
    }
    save();
    if (replaying && sock) {
      replaying = false;
      flushPending();
    }
  }

  function choices(list) {
    if (!Array.isArray(list)) {
      return undefined;
    }
    var out = [];
    for (var i = 0; i < list.length; i++) {
      var c = list[i];
      if (typeof c === 'string') {
        out.push({ title: c, payload: c });
      } else if (c && typeof c.title === 'string') {
        var b = { title: c.title, payload: typeof c.payload === 'string' ? c.payload : c.title };
        // Only absolute http(s) links: a relative one would open on the
        // host site.
        var u = typeof c.url === 'string' && /^https?:\/\//i.test(c.url) ? parseHTTPURL(c.url) : null;
        if (u) {
          b.url = u.href;
        }
        if (typeof c.subtitle === 'string' && c.subtitle) {
          b.subtitle = c.subtitle;
        }
        out.push(b);
      }
    }
    return out.length ? out : undefined;
  }

  // card keeps the parts of a record card the widget shows; links that
  // are not http(s) are dropped.
  function card(c) {
    if (!c || typeof c.title !== 'string') {
      return undefined;
    }
    var out = { title: c.title, subtitle: typeof c.subtitle === 'string' ? c.subtitle : '', fields: [] };
    if (Array.isArray(c.fields)) {
      for (var i = 0; i < c.fields.length; i++) {
        var f = c.fields[i];
        if (f && typeof f.label === 'string' && typeof f.value === 'string') {
          out.fields.push({ label: f.label, value: f.value });
        }
      }
    }
    var links = choices(c.link ? [c.link] : []);
    if (links && links[0].url) {
      out.link = links[0];
    }
    return out;
  }

  function flushPending() {
    for (var i = 0; i < state.pending.length; i++) {
      markPending(state.pending[i].id, false);
      sock.send(JSON.stringify(state.pending[i]));
    }
  }

  window.addEventListener('online', function () {
    if (started && !sock) {
      attempt = 0;
      connect();
    }
  });

  // ---- open / close ------------------------------------------------------

  // open shows the panel; focus moves to the input unless the page asked
  // for the panel to start open (focus stays where the host page put it).
  function open(keepFocus) {
    panel.hidden = false;
    root.classList.add('dlgd-open');
    launcher.setAttribute('aria-expanded', 'true');
    launcher.setAttribute('aria-label', 'Close chat: ' + title);
    badge.hidden = true;
    state.open = true;
    save();
    scrollToEnd();
    if (keepFocus !== true) {
      input.focus();
    }
    connectSoon();
  }

  function close() {
    panel.hidden = true;
    root.classList.remove('dlgd-open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', 'Open chat: ' + title);
    state.open = false;
    save();
    launcher.focus();
  }

  launcher.addEventListener('click', function () {
    if (panel.hidden) {
      open();
    } else {
      close();
    }
  });
  closeBtn.addEventListener('click', close);
  panel.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') {
      close();
    }
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (sendText(input.value)) {
      input.value = '';
    }
  });

  // ---- start -------------------------------------------------------------

  function mount() {
    document.body.appendChild(root);
    if (attr('data-open') === 'true' || state.open) {
      open(true);
    } else if (state.sid || state.pending.length) {
      connect(); // resume quietly to receive what was missed
    }
  }

  window.DialogdWidget = {
    version: VERSION,
    open: function () {
      open();
    },
    close: close,
    // send types text as the user would and returns the client message id.
    send: function (text) {
      return sendText(text);
    },
    // setIdentity sets the signed identity token sent in the hello frame on
    // connect; an open connection is reopened so the server sees it.
    setIdentity: function (token) {
      identity = token == null ? '' : String(token);
      identityRefused = false;
      if (sock || started) {
        reconnectNow();
      }
    }
  };

  if (document.body) {
    mount();
  } else {
    document.addEventListener('DOMContentLoaded', mount);
  }
  try {
    window.dispatchEvent(new CustomEvent('dialogd:ready'));
  } catch (err) {
    // very old browsers: the API is still on window
  }
})();
