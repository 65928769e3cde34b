package main

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/auth"
)

// oauthRoutes serves the OAuth endpoints of every bot: the first-party hop
// that binds an authorize link to the browser opening it (auth.StartPath)
// and the provider's redirect (auth.CallbackPath). Refused requests are
// counted by endpoint and reason (small fixed sets, see auth.OnRefused).
func (s *server) oauthRoutes(mux *http.ServeMux) {
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dialogd_oauth_refused_total",
		Help: "OAuth hop (endpoint=start) and callback requests refused, by reason (unbound and binding_mismatch: a callback from a browser that did not open the link; opened_elsewhere: a link opened by a second browser; not_from_chat: a chat user's link opened first from elsewhere than the chat's page, a forwarded link).",
	}, []string{"endpoint", "reason"})
	s.reg.MustRegister(refused)
	// The binding refusals are exported at 0 from the start, so an alert
	// can watch them.
	for _, l := range [][2]string{
		{auth.EndpointCallback, auth.StateUnbound},
		{auth.EndpointCallback, auth.StateWrongBinding},
		{auth.EndpointStart, auth.StateOpenedElsewhere},
		{auth.EndpointStart, auth.StateNotFromChat},
	} {
		refused.WithLabelValues(l[0], l[1])
	}
	onRefused := auth.OnRefused(func(_ context.Context, endpoint, reason string) {
		refused.WithLabelValues(endpoint, reason).Inc()
	})
	mux.Handle(auth.StartPath, auth.Start(s.authManager, auth.CallbackLogger(s.log), onRefused, auth.OpenedFromChat(s.openedFromChat)))
	mux.Handle(auth.CallbackPath, auth.Callback(s.authManager, s.resume, auth.CallbackLogger(s.log), auth.OnDenied(s.denied), onRefused))
}
