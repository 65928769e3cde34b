/*
 * dialogd agent desk.
 *
 * Sign-in: GET api/bots, POST api/login (sets an HttpOnly cookie), then a
 * WebSocket at ws that carries the desk frames of docs/protocol.md
 * ("The agent desk"). Every URL is relative to the page, so the desk works
 * under any prefix. Text from the server is only ever assigned with
 * textContent.
 */
(function () {
  'use strict';

  var BACKOFF_BASE = 400;   // ms, first reconnect delay before jitter
  var BACKOFF_CAP = 10000;  // ms
  var TYPING_EVERY = 2000;  // ms between two typing frames of one conversation
  var TYPING_SHOWN = 6000;  // ms a customer's typing indicator stays without news
  var CLOCK_EVERY = 15000;  // ms between refreshes of "waiting for" times
  var MAX_SENT = 50;        // ids of own messages kept to drop their echo
  var STORE_KEY = 'dialogd-desk:v1';

  var $ = function (id) { return document.getElementById(id); };

  // ---- state ---------------------------------------------------------------

  var me = null;            // {bot, agent, name} of the signed-in agent
  var hello = null;         // the last hello frame
  var board = null;         // the last board frame
  var convs = {};           // conversation id -> view (see openConversation)
  var order = [];           // conversation ids, in tab order
  var selected = '';        // the selected conversation id
  var domSeq = 0;           // for DOM ids: conversation ids may hold anything

  // ---- DOM helpers -----------------------------------------------------------

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

  function clear(n) {
    while (n.firstChild) {
      n.removeChild(n.firstChild);
    }
  }

  function str(v) {
    return typeof v === 'string' ? v : '';
  }

  function randomID() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    var s = '';
    for (var i = 0; i < b.length; i++) {
      s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    }
    return s;
  }

  function announce(text) {
    var a = $('announcer');
    a.textContent = '';
    // A change after a tick is read even when the text repeats.
    setTimeout(function () { a.textContent = text; }, 30);
  }

  function clockTime(at) {
    var d = at ? new Date(at) : new Date();
    if (isNaN(d.getTime())) {
      return '';
    }
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  // waited says how long ago since was, coarsely ("just now", "3 min", "1 h 5 min").
  function waited(since) {
    var t = new Date(since).getTime();
    if (isNaN(t) || t <= 0) {
      return ''; // unknown: Go's zero time is year 1
    }
    var s = Math.max(0, Math.round((Date.now() - t) / 1000));
    if (s < 60) {
      return 'just now';
    }
    var m = Math.floor(s / 60);
    return m < 60 ? m + ' min' : Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }

  // handoffReason words why the bot handed over (a code: user_request).
  function handoffReason(code) {
    return String(code).replace(/_/g, ' ');
  }

  // ---- stored sign-in --------------------------------------------------------

  function loadMe() {
    try {
      var v = JSON.parse(window.localStorage.getItem(STORE_KEY) || 'null');
      return v && typeof v.agent === 'string' && v.agent ? v : null;
    } catch (e) {
      return null;
    }
  }

  function saveMe(v) {
    try {
      if (v) {
        window.localStorage.setItem(STORE_KEY, JSON.stringify(v));
      } else {
        window.localStorage.removeItem(STORE_KEY);
      }
    } catch (e) {
      // storage disabled: the agent signs in again after a reload
    }
  }

  // ---- sign-in -----------------------------------------------------------------

  function showLogin(message) {
    closeSocket();
    $('desk-view').hidden = true;
    $('login-view').hidden = false;
    var err = $('login-error');
    err.textContent = message || '';
    err.hidden = !message;
    document.title = 'Agent desk · dialogd';
    loadBots();
    $(me && me.agent ? 'login-password' : 'login-agent').focus();
  }

  function loadBots() {
    var sel = $('login-bot');
    fetch('api/bots', { credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
      if (!res.ok) {
        throw new Error('status ' + res.status);
      }
      return res.json();
    }).then(function (bots) {
      clear(sel);
      (Array.isArray(bots) ? bots : []).forEach(function (b) {
        if (!b || typeof b.name !== 'string') {
          return;
        }
        var o = el('option', '', b.title || b.name);
        o.value = b.name;
        sel.appendChild(o);
      });
      if (me && me.bot) {
        sel.value = me.bot;
      }
      if (me && me.agent && !$('login-agent').value) {
        $('login-agent').value = me.agent;
      }
      if (!sel.options.length) {
        loginError('No bot on this server has a desk.');
      }
    }).catch(function () {
      loginError('The server cannot be reached. Try again in a moment.');
    });
  }

  function loginError(text) {
    var err = $('login-error');
    err.textContent = text;
    err.hidden = false;
  }

  // The agent id filled in from the last sign-in is selected on focus, so
  // typing another id replaces it instead of adding to it.
  (function () {
    var input = $('login-agent');
    var justFocused = false;
    input.addEventListener('focus', function () {
      input.select();
      justFocused = true;
    });
    input.addEventListener('mouseup', function (ev) {
      if (justFocused) {
        ev.preventDefault(); // the click would place the caret and drop the selection
      }
      justFocused = false;
    });
    input.addEventListener('keydown', function () { justFocused = false; });
  })();

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = {
      bot: $('login-bot').value,
      agent: $('login-agent').value.trim(),
      password: $('login-password').value
    };
    if (!body.bot || !body.agent || !body.password) {
      loginError('Choose a bot and enter your agent id and password.');
      return;
    }
    $('login-submit').disabled = true;
    fetch('api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          throw new Error(str(data.error) || (res.status === 401 ? 'Wrong agent id or password.' : 'Sign-in failed (' + res.status + ').'));
        }
        return data;
      });
    }).then(function (data) {
      $('login-password').value = '';
      var opt = $('login-bot').selectedOptions[0];
      me = {
        bot: str(data.bot) || body.bot, botTitle: opt ? opt.textContent : '',
        agent: str(data.agent) || body.agent, name: str(data.name) || body.agent, signedIn: true
      };
      saveMe(me);
      showDesk();
    }).catch(function (e) {
      loginError(e.message);
      $('login-password').focus();
    }).then(function () {
      $('login-submit').disabled = false;
    });
  });

  $('logout').addEventListener('click', function () {
    closeSocket();
    fetch('api/logout', { method: 'POST', credentials: 'same-origin' }).catch(function () {});
    signedOut();
    showLogin('You signed out.');
  });

  // signedOut forgets the desk; the bot and agent id stay to fill the form.
  function signedOut() {
    if (me) {
      me.signedIn = false;
      saveMe(me);
    }
    resetDesk();
  }

  function showDesk() {
    $('login-view').hidden = true;
    $('desk-view').hidden = false;
    showBotTitle();
    $('me-name').textContent = me.name;
    connect();
    refreshBotTitle();
  }

  function showBotTitle() {
    $('desk-bot').textContent = me.botTitle || me.bot;
    $('desk-bot').title = me.botTitle || me.bot;
  }

  // refreshBotTitle reads the bot's title again (a desk opened from a
  // stored sign-in shows the title of that day until then).
  function refreshBotTitle() {
    fetch('api/bots', { credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
      return res.ok ? res.json() : [];
    }).then(function (bots) {
      (Array.isArray(bots) ? bots : []).forEach(function (b) {
        if (me && b && b.name === me.bot && typeof b.title === 'string' && b.title) {
          me.botTitle = b.title;
          saveMe(me);
          showBotTitle();
        }
      });
    }).catch(function () {
      // offline: the stored title stays
    });
  }

  function resetDesk() {
    hello = null;
    board = null;
    convs = {};
    order = [];
    selected = '';
    clear($('tabs'));
    clear($('panels'));
    clear($('queues'));
    clear($('team'));
    updateEmpty();
  }

  // ---- connection ------------------------------------------------------------

  var sock = null;
  var attempt = 0;
  var retryTimer = 0;

  function connect() {
    clearTimeout(retryTimer);
    if (sock) {
      return;
    }
    var u = new URL('ws', location.href);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    setConn('connecting');
    var s;
    try {
      s = new WebSocket(u.href);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    var opened = false;
    sock = s;
    s.onopen = function () {
      opened = true;
    };
    s.onmessage = function (ev) {
      if (sock !== s) {
        return;
      }
      var f;
      try {
        f = JSON.parse(ev.data);
      } catch (e) {
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
      if (opened) {
        scheduleReconnect();
      } else {
        refusedOrDown();
      }
    };
  }

  // refusedOrDown runs when a socket closed before it opened: either the
  // server is down (keep trying) or it refused the cookie (sign in again).
  // A browser does not tell the two apart; the bot list does.
  function refusedOrDown() {
    fetch('api/bots', { credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
      if (res.ok) {
        signedOut();
        showLogin('Please sign in.');
      } else {
        scheduleReconnect();
      }
    }).catch(scheduleReconnect);
  }

  function scheduleReconnect() {
    if ($('desk-view').hidden) {
      return;
    }
    setConn('offline');
    var max = Math.min(BACKOFF_CAP, BACKOFF_BASE * Math.pow(2, attempt));
    attempt++;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, max / 2 + Math.random() * max / 2);
  }

  function closeSocket() {
    clearTimeout(retryTimer);
    var s = sock;
    sock = null;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      try {
        s.close(1000);
      } catch (e) {
        // already closing
      }
    }
  }

  function send(f) {
    if (!sock || sock.readyState !== 1) {
      showError('You are offline; that was not sent. The desk reconnects by itself.');
      return false;
    }
    sock.send(JSON.stringify(f));
    return true;
  }

  function setConn(s) {
    var n = $('conn-status');
    n.setAttribute('data-conn', s);
    n.textContent = { connecting: 'Connecting…', connected: 'Connected', offline: 'Reconnecting…' }[s] || '';
    document.body.setAttribute('data-conn', s);
  }

  window.addEventListener('online', function () {
    if (me && !sock && !$('desk-view').hidden) {
      attempt = 0;
      connect();
    }
  });

  // ---- frames ----------------------------------------------------------------

  function handleFrame(f) {
    switch (f.type) {
      case 'hello':
        onHello(f);
        break;
      case 'board':
        board = f;
        renderBoard();
        dropStale();
        break;
      case 'conversation':
        if (f.conversation && typeof f.conversation.id === 'string') {
          openConversation(f.conversation);
          dropStale();
        }
        break;
      case 'user_message':
        onLine(f, 'user');
        break;
      case 'user_typing':
        userTyping(str(f.conversation));
        break;
      case 'agent_message':
        onLine(f, 'agent');
        break;
      case 'ended':
        endConversation(str(f.conversation), str(f.by));
        break;
      case 'linked':
        showLinked(str(f.salesforce_user), str(f.salesforce_username));
        $('link-user').value = '';
        announce('Linked to Salesforce user ' + $('sf-linked').textContent + '.');
        break;
      case 'error':
        onError(f);
        break;
      default:
        // unknown frames are ignored, so newer servers stay compatible
    }
  }

  function onHello(f) {
    var prevHello = hello;
    hello = f;
    // A new socket: the server sends every conversation the agent still
    // holds again; until then the open ones are unconfirmed.
    order.forEach(function (id) {
      convs[id].stale = !convs[id].ended;
    });
    attempt = 0;
    setConn('connected');
    var a = f.agent || {};
    if (typeof a.name === 'string' && a.name) {
      me.name = a.name;
      $('me-name').textContent = a.name;
    }
    var linked = str(a.salesforce_username) || str(a.salesforce_user);
    if (linked && linked !== $('sf-linked').textContent && hello && prevHello) {
      // A hello on an open socket follows a link (the desk sends it again).
      $('link-user').value = '';
      announce('Linked to Salesforce user ' + linked + '.');
    }
    showLinked(str(a.salesforce_user), str(a.salesforce_username));
    buildStateSelect();
    renderBoard();
  }

  function onError(f) {
    var code = str(f.code);
    if (code === 'unauthorized' || code === 'signed_out') {
      signedOut();
      showLogin(str(f.message) || 'Please sign in.');
      return;
    }
    showError(str(f.message) || 'Something went wrong (' + code + ').');
    if (myStatus()) {
      syncStateSelect(myStatus()); // a refused state change
    }
  }

  function showError(text) {
    $('error-text').textContent = text;
    $('error-bar').hidden = false;
  }

  $('error-close').addEventListener('click', function () {
    $('error-bar').hidden = true;
  });

  // showLinked shows the linked Salesforce user by user name when the
  // server knows it, else by id; the id stays in the tooltip.
  function showLinked(id, username) {
    var n = $('sf-linked');
    n.textContent = username || id || 'none';
    if (username && id) {
      n.title = 'User id ' + id;
    } else {
      n.removeAttribute('title');
    }
  }

  $('link-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var v = $('link-user').value.trim();
    if (v) {
      send({ type: 'link', salesforce_username: v });
    }
  });

  // ---- my state ----------------------------------------------------------------

  var STATE_TITLES = { available: 'Available', busy: 'Busy', unavailable: 'Unavailable', offline: 'Offline' };

  function reasonTitle(code) {
    var rs = hello && Array.isArray(hello.reasons) ? hello.reasons : [];
    for (var i = 0; i < rs.length; i++) {
      if (rs[i] && rs[i].code === code) {
        return str(rs[i].title) || code;
      }
    }
    return code;
  }

  function stateText(st) {
    var t = STATE_TITLES[st.state] || st.state || '';
    if (st.state === 'unavailable' && st.reason) {
      t += ' · ' + reasonTitle(st.reason);
    }
    return t;
  }

  function buildStateSelect() {
    var sel = $('state-select');
    clear(sel);
    var add = function (value, text) {
      var o = el('option', '', text);
      o.value = value;
      sel.appendChild(o);
      return o;
    };
    add('available', 'Available');
    var rs = hello && Array.isArray(hello.reasons) ? hello.reasons : [];
    for (var i = 0; i < rs.length; i++) {
      if (rs[i] && typeof rs[i].code === 'string') {
        add('unavailable:' + rs[i].code, 'Unavailable · ' + (str(rs[i].title) || rs[i].code));
      }
    }
    // Unavailable without a reason (as after sign-in) is shown only while
    // it is the state, unless no reasons are configured.
    add('unavailable:', 'Unavailable').hidden = rs.length > 0;
    add('offline', 'Offline');
    // Busy is set by routing, never by hand: shown, not chosen.
    var busy = add('busy', 'Busy (at capacity)');
    busy.disabled = true;
    busy.hidden = true;
  }

  $('state-select').addEventListener('change', function () {
    var v = $('state-select').value.split(':');
    var f = { type: 'state', state: v[0] };
    if (v[0] === 'unavailable' && v[1]) {
      f.reason = v[1];
    }
    if (!send(f) && myStatus()) {
      syncStateSelect(myStatus());
    }
  });

  function myStatus() {
    if (!board || !Array.isArray(board.agents) || !me) {
      return null;
    }
    for (var i = 0; i < board.agents.length; i++) {
      if (board.agents[i] && board.agents[i].id === me.agent) {
        return board.agents[i];
      }
    }
    return null;
  }

  function syncStateSelect(st) {
    var sel = $('state-select');
    var v = st.state === 'unavailable' ? 'unavailable:' + (st.reason || '') : st.state;
    var busy = sel.querySelector('option[value="busy"]');
    if (busy) {
      busy.hidden = st.state !== 'busy';
    }
    var bare = sel.querySelector('option[value="unavailable:"]');
    var reasons = hello && Array.isArray(hello.reasons) ? hello.reasons.length : 0;
    if (bare) {
      bare.hidden = reasons > 0 && v !== 'unavailable:';
    }
    sel.value = v;
    if (sel.value !== v && st.state === 'unavailable') {
      sel.value = 'unavailable:'; // a reason this page does not know
    }
  }

  function renderMe() {
    var st = myStatus();
    var badge = $('me-state');
    if (!st) {
      badge.textContent = '';
      badge.setAttribute('data-state', '');
      $('me-load').textContent = '';
      return;
    }
    badge.textContent = stateText(st);
    badge.setAttribute('data-state', st.state);
    $('me-load').textContent = (st.active || 0) + ' / ' + (st.capacity || 0);
    $('me-load').setAttribute('aria-label', 'Holding ' + (st.active || 0) + ' of ' + (st.capacity || 0) + ' conversations');
    syncStateSelect(st);
  }

  // ---- board: team and queues --------------------------------------------------

  function renderBoard() {
    renderMe();
    renderTeam();
    renderQueues();
  }

  function renderTeam() {
    var ul = $('team');
    clear(ul);
    var agents = board && Array.isArray(board.agents) ? board.agents : [];
    agents.forEach(function (a) {
      if (!a || typeof a.id !== 'string') {
        return;
      }
      var li = el('li', 'agent');
      li.setAttribute('data-agent', a.id);
      li.setAttribute('data-state', str(a.state));
      li.appendChild(el('span', 'agent-name', (str(a.name) || a.id) + (me && a.id === me.agent ? ' (you)' : '')));
      var badge = el('span', 'state-badge', stateText(a));
      badge.setAttribute('data-state', str(a.state));
      var state = el('span', 'agent-state');
      state.appendChild(badge);
      if (waited(a.since)) {
        // How long the agent has been in this state: a break that runs
        // long shows.
        state.appendChild(el('span', 'agent-since', waited(a.since)));
        state.lastChild.setAttribute('title', 'In this state since ' + clockTime(a.since));
      }
      li.appendChild(state);
      li.appendChild(el('span', 'load', (a.active || 0) + ' / ' + (a.capacity || 0)));
      li.lastChild.setAttribute('aria-label', (a.active || 0) + ' of ' + (a.capacity || 0) + ' conversations');
      ul.appendChild(li);
    });
    if (!agents.length) {
      ul.appendChild(el('li', 'empty', 'No agents.'));
    }
  }

  function renderQueues() {
    var box = $('queues');
    clear(box);
    var queues = board && Array.isArray(board.queues) ? board.queues : [];
    queues.forEach(function (q) {
      if (!q) {
        return;
      }
      var waiting = Array.isArray(q.waiting) ? q.waiting : [];
      var sec = el('section', 'queue');
      sec.setAttribute('data-queue', str(q.name));
      var h = el('h3', 'queue-title', str(q.title) || queueTitle(str(q.name)));
      h.appendChild(el('span', 'count', String(waiting.length)));
      h.lastChild.setAttribute('aria-label', waiting.length + ' waiting');
      sec.appendChild(h);
      var ol = el('ol', 'waiting');
      waiting.forEach(function (w) {
        var li = el('li', 'waiter');
        li.appendChild(el('span', 'waiter-who', str(w.customer) || 'Visitor'));
        var meta = [];
        if (w.lang) {
          meta.push(String(w.lang).toUpperCase());
        }
        meta.push('waiting ' + waited(w.since));
        if (w.reason) {
          meta.push(handoffReason(w.reason));
        }
        li.appendChild(el('span', 'waiter-meta', meta.join(' · ')));
        ol.appendChild(li);
      });
      sec.appendChild(waiting.length ? ol : el('p', 'empty', 'Nobody waiting.'));
      box.appendChild(sec);
    });
    if (!queues.length) {
      box.appendChild(el('p', 'empty', 'No queues.'));
    }
  }

  setInterval(function () {
    if (board && !$('desk-view').hidden) {
      renderTeam();
      renderQueues();
    }
  }, CLOCK_EVERY);

  // ---- conversations -------------------------------------------------------------

  // dropStale ends the tabs of conversations that ended while the page was
  // away: once the server has sent again as many conversations as the
  // board says the agent holds, an unconfirmed tab is no longer held.
  function dropStale() {
    var st = myStatus();
    if (!st) {
      return;
    }
    var held = 0;
    var stale = [];
    order.forEach(function (id) {
      var v = convs[id];
      if (v.stale) {
        stale.push(id);
      } else if (!v.ended) {
        held++;
      }
    });
    if (stale.length && held >= (st.active || 0)) {
      stale.forEach(function (id) { endConversation(id, 'gone'); });
    }
  }

  // openConversation adds a conversation's tab and panel, or rebuilds them
  // from the frame (after a reconnect the server sends every held one again).
  function openConversation(c) {
    var v = convs[c.id];
    var isNew = !v;
    if (isNew) {
      v = buildConversation(c.id);
      convs[c.id] = v;
      order.push(c.id);
      $('tabs').appendChild(v.tab);
      $('panels').appendChild(v.panel);
    }
    v.data = c;
    v.ended = false;
    v.stale = false;
    v.panel.classList.remove('ended');
    v.endedNote.hidden = true;
    setComposerEnabled(v, true);
    var who = customerName(c);
    v.tabLabel.textContent = who;
    v.log.setAttribute('aria-label', 'Conversation with ' + who);
    v.inputLabel.textContent = 'Message to ' + who;
    renderCustomer(v, c.customer || {});
    renderContext(v, c.context);
    renderMeta(v, c);
    clear(v.log);
    v.sent = []; // the transcript has this page's messages now
    (Array.isArray(c.transcript) ? c.transcript : []).forEach(function (line) {
      var l = str(line.who) === 'history' ? historyLine(str(line.text)) : { who: str(line.who), name: str(line.name), text: str(line.text) };
      addLine(v, l.who, l.name, l.text, str(line.at));
    });
    updateEmpty();
    if (isNew) {
      announce('New conversation with ' + who + '.');
      if (!selected || !convs[selected] || convs[selected].ended) {
        select(c.id);
      }
      bumpUnread(v); // counts unless it is shown in a visible page
    }
  }

  function customerName(c) {
    var cu = c.customer || {};
    return str(cu.name) || str(cu.email) || str(cu.phone) || 'Visitor';
  }

  function buildConversation(id) {
    var n = ++domSeq;
    var v = { id: id, unread: 0, sent: [], lastTyping: 0, ended: false };
    v.tab = el('button', 'tab');
    v.tab.type = 'button';
    v.tab.id = 'tab-' + n;
    v.tab.setAttribute('role', 'tab');
    v.tab.setAttribute('aria-controls', 'panel-' + n);
    v.tab.setAttribute('aria-selected', 'false');
    v.tab.setAttribute('data-conversation', id);
    v.tabLabel = el('span', 'tab-label');
    v.tabBadge = el('span', 'tab-unread');
    v.tabBadge.hidden = true;
    v.tab.appendChild(v.tabLabel);
    v.tab.appendChild(v.tabBadge);
    v.tab.addEventListener('click', function () { select(id); });
    v.tab.addEventListener('keydown', tabKeys);

    v.panel = el('section', 'conv');
    v.panel.id = 'panel-' + n;
    v.panel.setAttribute('role', 'tabpanel');
    v.panel.setAttribute('aria-labelledby', v.tab.id);
    v.panel.setAttribute('data-conversation', id);
    v.panel.hidden = true;
    v.panel.appendChild(buildChat(v, n));
    v.panel.appendChild(buildSide(v));
    return v;
  }

  function buildChat(v, n) {
    var main = el('div', 'conv-main');
    v.log = el('div', 'transcript');
    v.log.setAttribute('role', 'log');
    v.log.setAttribute('aria-live', 'polite');
    v.log.setAttribute('aria-relevant', 'additions');
    v.log.tabIndex = 0;
    v.typing = el('p', 'user-typing');
    v.typing.setAttribute('role', 'status');
    v.typing.hidden = true;
    v.endedNote = el('p', 'ended-note');
    v.endedNote.setAttribute('role', 'status');
    v.endedNote.hidden = true;
    v.form = el('form', 'composer');
    v.form.setAttribute('novalidate', '');
    v.inputLabel = el('label', 'sr-only', 'Message');
    v.input = el('textarea', 'composer-input');
    v.input.rows = 2;
    v.input.id = 'input-' + n;
    v.input.autocomplete = 'off';
    v.input.maxLength = 2000;
    v.input.placeholder = 'Type a reply… (Enter sends, Shift+Enter starts a new line)';
    v.inputLabel.htmlFor = v.input.id;
    v.sendBtn = el('button', 'primary', 'Send');
    v.sendBtn.type = 'submit';
    v.endBtn = el('button', 'end', 'End conversation');
    v.endBtn.type = 'button';
    v.closeBtn = el('button', 'close-tab', 'Close tab');
    v.closeBtn.type = 'button';
    v.closeBtn.hidden = true;
    v.form.appendChild(v.inputLabel);
    v.form.appendChild(v.input);
    v.form.appendChild(v.sendBtn);
    var actions = el('div', 'conv-actions');
    actions.appendChild(v.endBtn);
    actions.appendChild(v.closeBtn);
    main.appendChild(v.log);
    main.appendChild(v.typing);
    main.appendChild(v.endedNote);
    main.appendChild(v.form);
    main.appendChild(actions);
    wireChat(v);
    return main;
  }

  function wireChat(v) {
    v.form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      sendReply(v);
    });
    v.input.addEventListener('keydown', function (ev) {
      // Enter sends; Shift+Enter breaks the line; Enter that ends an
      // input method's composition (Japanese) only ends it.
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        sendReply(v);
      }
    });
    v.input.addEventListener('keypress', function (ev) {
      if (ev.key === 'Enter' && !ev.shiftKey) {
        ev.preventDefault(); // some input tools send the Enter's character apart from its keydown
      }
    });
    v.input.addEventListener('input', function () {
      var now = Date.now();
      if (!v.ended && v.input.value.trim() && now - v.lastTyping >= TYPING_EVERY) {
        if (send({ type: 'typing', conversation: v.id })) {
          v.lastTyping = now;
        }
      }
    });
    v.endBtn.addEventListener('click', function () {
      if (!v.ended) {
        send({ type: 'end', conversation: v.id });
      }
    });
    v.closeBtn.addEventListener('click', function () { closeTab(v.id); });
  }

  function buildSide(v) {
    var side = el('aside', 'conv-side');
    side.setAttribute('aria-label', 'About this conversation');
    var cust = el('section', 'box customer');
    cust.appendChild(el('h3', '', 'Customer'));
    v.customer = el('dl', 'kv');
    cust.appendChild(v.customer);
    var ctx = el('section', 'box context');
    ctx.appendChild(el('h3', '', 'What the bot collected'));
    v.context = el('dl', 'kv');
    ctx.appendChild(v.context);
    var meta = el('section', 'box meta');
    meta.appendChild(el('h3', '', 'Conversation'));
    v.meta = el('dl', 'kv');
    meta.appendChild(v.meta);
    side.appendChild(cust);
    side.appendChild(ctx);
    side.appendChild(meta);
    return side;
  }

  function kv(dl, key, value) {
    dl.appendChild(el('dt', '', key));
    dl.appendChild(el('dd', '', value));
  }

  function renderCustomer(v, cu) {
    clear(v.customer);
    var fields = [['name', 'Name'], ['company', 'Company'], ['email', 'E-mail'], ['phone', 'Phone'],
      ['salesforce_id', 'Salesforce id'], ['source', 'Identified by']];
    var any = false;
    fields.forEach(function (f) {
      if (str(cu[f[0]])) {
        kv(v.customer, f[1], cu[f[0]]);
        any = true;
      }
    });
    if (!any) {
      v.customer.appendChild(el('dd', 'empty', 'Not identified.'));
    }
  }

  function isMap(val) {
    return val !== null && typeof val === 'object' && !Array.isArray(val);
  }

  // contextText words a collected value: text as it is, lists joined,
  // anything deeper as JSON.
  function contextText(val) {
    if (typeof val === 'string') {
      return val;
    }
    if (Array.isArray(val) && val.every(function (x) { return !isMap(x) && !Array.isArray(x); })) {
      return val.map(function (x) { return typeof x === 'string' ? x : JSON.stringify(x); }).join(', ');
    }
    return JSON.stringify(val);
  }

  // renderContext lists what the bot collected, key by key; a map (the
  // user's variables, an entity with parts) shows its keys one level deep
  // as "key.part" rows.
  function renderContext(v, ctx) {
    clear(v.context);
    var rows = [];
    Object.keys(isMap(ctx) ? ctx : {}).forEach(function (k) {
      var val = ctx[k];
      if (isMap(val) && Object.keys(val).length) {
        Object.keys(val).forEach(function (sub) {
          rows.push([k + '.' + sub, contextText(val[sub])]);
        });
      } else {
        rows.push([k, contextText(val)]);
      }
    });
    rows.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    rows.forEach(function (r) {
      kv(v.context, r[0], r[1]);
    });
    if (!rows.length) {
      v.context.appendChild(el('dd', 'empty', 'Nothing collected.'));
    }
  }

  function renderMeta(v, c) {
    clear(v.meta);
    if (c.queue) {
      kv(v.meta, 'Queue', queueTitle(c.queue));
    }
    if (c.lang) {
      kv(v.meta, 'Language', String(c.lang));
    }
    if (c.reason) {
      kv(v.meta, 'Reason', handoffReason(c.reason));
    }
    if (c.started) {
      kv(v.meta, 'Started', clockTime(c.started));
    }
  }

  function queueTitle(name) {
    var qs = hello && Array.isArray(hello.queues) ? hello.queues : [];
    for (var i = 0; i < qs.length; i++) {
      if (qs[i] && qs[i].name === name) {
        return str(qs[i].title) || name;
      }
    }
    return name;
  }

  // The speaker labels of the bot's own transcript (conversation.transcript,
  // "label: text" lines in the conversation's language), as the phrase
  // tables nodes/phrases/{en,de,ja}.yaml word them (transcript.user,
  // transcript.bot, transcript.agent).
  var HISTORY_USER = { 'User': 1, 'Nutzer': 1, '\u30e6\u30fc\u30b6\u30fc': 1 };
  var HISTORY_BOT = { 'Bot': 1, '\u30dc\u30c3\u30c8': 1 };
  var HISTORY_AGENT = /^(?:Agent|Mitarbeiter|\u62c5\u5f53\u8005) (.+)$/;

  // historyLine reads a line of the conversation before the handoff; a
  // speaker it does not know keeps its label as the name.
  function historyLine(text) {
    var m = /^([^:\n]{1,60}): ([\s\S]*)$/.exec(text);
    if (!m) {
      return { who: 'history', name: '', text: text };
    }
    if (HISTORY_USER[m[1]]) {
      return { who: 'user', name: '', text: m[2] };
    }
    if (HISTORY_BOT[m[1]]) {
      return { who: 'bot', name: '', text: m[2] };
    }
    var a = HISTORY_AGENT.exec(m[1]);
    return a ? { who: 'agent', name: a[1], text: m[2] } : { who: 'history', name: m[1], text: m[2] };
  }

  // The desk's notices as the bot's transcript words them in each
  // language (nodes/phrases handoff.agent_joined, handoff.agent_left).
  var NOTICE = new RegExp('(?: joined the conversation| left the conversation| ist dem Gespr\u00e4ch beigetreten' +
    '| hat das Gespr\u00e4ch verlassen)\\.$|\u304c\u4f1a\u8a71\u306b\u53c2\u52a0\u3057\u307e\u3057\u305f\u3002$' +
    '|\u304c\u4f1a\u8a71\u3092\u7d42\u4e86\u3057\u307e\u3057\u305f\u3002$');

  // addLine appends a transcript line: who is user, bot, agent, history
  // (an earlier line by a speaker the page does not know), notice (an
  // agent joined or left, as the bot's transcript has it) or system.
  function addLine(v, who, name, text, at) {
    if ((who === 'bot' || who === 'history') && NOTICE.test(text)) {
      who = 'notice';
    }
    if (who !== 'user' && who !== 'bot' && who !== 'agent' && who !== 'history' && who !== 'notice') {
      who = 'system';
    }
    var row = el('div', 'line line-' + who);
    var head = el('p', 'line-head');
    var label = name || { user: customerName(v.data || {}), bot: 'Bot', agent: 'Agent' }[who] || '';
    head.appendChild(el('span', 'line-who', label));
    head.appendChild(el('span', 'line-role', { user: 'customer', bot: 'bot', agent: 'agent' }[who] || ''));
    head.appendChild(el('time', 'line-time', clockTime(at)));
    if (at) {
      head.lastChild.setAttribute('datetime', at);
    }
    row.appendChild(head);
    row.appendChild(el('p', 'line-text', text));
    v.log.appendChild(row);
    v.log.scrollTop = v.log.scrollHeight;
    return row;
  }

  // userTyping shows that the customer is typing, until their message
  // comes or a few seconds pass without another typing frame.
  function userTyping(id) {
    var v = convs[id];
    if (!v || v.ended) {
      return;
    }
    v.typing.textContent = customerName(v.data || {}) + ' is typing…';
    v.typing.hidden = false;
    clearTimeout(v.typingTimer);
    v.typingTimer = setTimeout(function () { v.typing.hidden = true; }, TYPING_SHOWN);
  }

  function onLine(f, who) {
    var v = convs[str(f.conversation)];
    if (!v) {
      return;
    }
    if (who === 'user') {
      clearTimeout(v.typingTimer);
      v.typing.hidden = true;
    }
    if (who === 'agent' && isOwnEcho(v, f)) {
      return;
    }
    addLine(v, who, who === 'agent' ? str(f.agent) : '', str(f.text), str(f.at));
    if (who === 'user' || selected !== v.id) {
      bumpUnread(v);
    }
  }

  // isOwnEcho drops the echo of a message this page sent and showed
  // already: by its id when the echo carries one, else by its text.
  function isOwnEcho(v, f) {
    for (var i = 0; i < v.sent.length; i++) {
      var s = v.sent[i];
      if ((f.id && f.id === s.id) || (!f.id && f.text === s.text)) {
        v.sent.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  function sendReply(v) {
    var text = v.input.value.trim();
    if (!text || v.ended) {
      return;
    }
    var id = randomID();
    if (!send({ type: 'message', conversation: v.id, id: id, text: text })) {
      return;
    }
    v.sent.push({ id: id, text: text });
    if (v.sent.length > MAX_SENT) {
      v.sent.shift();
    }
    v.input.value = '';
    v.lastTyping = 0;
    addLine(v, 'agent', me.name, text, new Date().toISOString());
  }

  function endConversation(id, by) {
    var v = convs[id];
    if (!v || v.ended) {
      return;
    }
    v.ended = true;
    v.stale = false;
    clearTimeout(v.typingTimer);
    v.typing.hidden = true;
    v.panel.classList.add('ended');
    var who = customerName(v.data || {});
    var text = {
      user: who + ' left the conversation.',
      agent: 'You ended the conversation; the bot takes it back.',
      gone: 'This conversation ended while you were offline.'
    }[by] || 'The conversation ended.';
    addLine(v, 'system', '', text, new Date().toISOString());
    v.endedNote.textContent = 'This conversation has ended.';
    v.endedNote.hidden = false;
    setComposerEnabled(v, false);
    v.closeBtn.hidden = false;
    announce(by === 'user' ? text : 'Conversation with ' + who + ' ended.');
    v.tab.classList.add('tab-ended');
  }

  function setComposerEnabled(v, on) {
    v.input.disabled = !on;
    v.sendBtn.disabled = !on;
    v.form.hidden = !on;
    v.endBtn.hidden = !on;
    v.closeBtn.hidden = on;
    v.tab.classList.toggle('tab-ended', !on);
  }

  function closeTab(id) {
    var v = convs[id];
    if (!v) {
      return;
    }
    var i = order.indexOf(id);
    order.splice(i, 1);
    delete convs[id];
    v.tab.remove();
    v.panel.remove();
    if (selected === id) {
      selected = '';
      if (order.length) {
        select(order[Math.min(i, order.length - 1)]);
      }
    }
    updateEmpty();
  }

  function select(id) {
    selected = id;
    order.forEach(function (cid) {
      var v = convs[cid];
      var on = cid === id;
      v.tab.setAttribute('aria-selected', on ? 'true' : 'false');
      v.tab.tabIndex = on ? 0 : -1;
      v.panel.hidden = !on;
      if (on) {
        v.unread = 0;
        v.tabBadge.hidden = true;
        v.log.scrollTop = v.log.scrollHeight;
      }
    });
    updateTitle();
    var v = convs[id];
    if (v && !v.ended) {
      v.input.focus();
    }
  }

  function tabKeys(ev) {
    var i = order.indexOf(selected);
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
      ev.preventDefault();
      var next = order[(i + (ev.key === 'ArrowRight' ? 1 : order.length - 1)) % order.length];
      select(next);
      convs[next].tab.focus();
    }
  }

  function bumpUnread(v) {
    if (selected === v.id && document.visibilityState !== 'hidden') {
      return;
    }
    v.unread++;
    v.tabBadge.textContent = String(v.unread);
    v.tabBadge.setAttribute('aria-label', v.unread + ' unread');
    v.tabBadge.hidden = false;
    updateTitle();
  }

  function updateTitle() {
    var n = 0;
    order.forEach(function (cid) { n += convs[cid].unread; });
    document.title = (n ? '(' + n + ') ' : '') + 'Agent desk · dialogd';
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && convs[selected]) {
      convs[selected].unread = 0;
      convs[selected].tabBadge.hidden = true;
      updateTitle();
    }
  });

  function updateEmpty() {
    $('no-conv').hidden = order.length > 0;
  }

  // ---- start -----------------------------------------------------------------

  me = loadMe();
  if (me && me.signedIn !== false) {
    showDesk();
  } else {
    showLogin('');
  }
})();
