// Package web is the end-user chat widget: static assets embedded in the
// binary and an http.Handler that serves them.
//
// [Handler] serves three paths:
//
//	/            a demo page that embeds the widget ([DemoHandler]: one naming the bot)
//	/widget.js   the widget; a host page embeds it with one script tag
//	/widget.css  the widget's style sheet, loaded by widget.js
//
// A host page on another site embeds the widget with
//
//	<script src="https://bot.example.com/widget.js" data-bot-url="https://bot.example.com" async></script>
//
// The widget talks protocol v1 over a WebSocket at /ws on the bot's origin
// (taken from data-bot-url, else from the script's own URL). It keeps the
// session id, the highest frame seq it has rendered and the last 50
// transcript entries in localStorage, resumes with ?session=&last_seq= after
// a reload or a dropped connection, and drops frames it has already shown.
// See README.md in this directory for the attributes and the JavaScript API.
//
// [DeskHandler] serves the agent desk, the page human agents answer
// handed-off conversations in: "/desk/", "/desk/desk.js" and
// "/desk/desk.css" (its API and socket are package desk's).
//
// The assets need no build step; the package imports nothing else of this
// module.
package web
