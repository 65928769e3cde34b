package sfsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// serveControl handles the emulator-only control API under /__sim__/. It is
// unauthenticated: sfsim is a test tool bound to loopback.
//
//	POST   /__sim__/faults          {"kind":"unavailable|request_limit|lock_row","count":N,"path":"/sobjects"}
//	DELETE /__sim__/faults          clear faults and latency
//	POST   /__sim__/latency         {"ms":250}
//	POST   /__sim__/expire-tokens   {"count":N} expire every access token now, or after N more API calls
//	POST   /__sim__/outage          {"active":true} every call but control calls answers 503 until {"active":false}
//	POST   /__sim__/revoke-refresh-tokens {"username":""}
//	POST   /__sim__/users/active    {"username":"…","active":false}
//	POST   /__sim__/token           {"username":"…"} -> {"access_token","instance_url","id"}
//	POST   /__sim__/presence        {"username":"…","status":"Available"}
//	POST   /__sim__/api-usage       {"used":N}
//	GET    /__sim__/requests        the request log; DELETE empties it
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	var body controlRequest
	if r.Method == http.MethodPost && r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
			writeErrors(w, badRequest("JSON_PARSER_ERROR", "invalid control request body"))
			return
		}
	}
	route, found := controlRoutes[r.Method+" "+strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/__sim__"), "/")]
	if !found {
		writeErrors(w, errNotFound())
		return
	}
	answer, err := route(s, r, body)
	if err != nil {
		writeControlError(w, err)
		return
	}
	if answer == nil {
		answer = map[string]bool{"ok": true}
	}
	writeJSON(w, http.StatusOK, answer)
}

// controlRequest is the JSON body of a control call; each route reads the
// fields it needs.
type controlRequest struct {
	Kind     string `json:"kind"`
	Count    int    `json:"count"`
	Path     string `json:"path"`
	Ms       int    `json:"ms"`
	Username string `json:"username"`
	Active   *bool  `json:"active"`
	Status   string `json:"status"`
	Used     *int   `json:"used"`
}

// controlRoute carries out one control call and returns the value to
// answer with, nil meaning {"ok":true}.
type controlRoute func(s *Server, r *http.Request, body controlRequest) (any, error)

// controlRoutes are the control calls by "METHOD /path" (path without
// /__sim__ and a trailing slash).
var controlRoutes = map[string]controlRoute{
	"POST /faults":                controlFailNext,
	"DELETE /faults":              controlAction((*Server).ClearFaults),
	"POST /latency":               controlSetLatency,
	"POST /expire-tokens":         controlExpireTokens,
	"POST /outage":                controlSetDown,
	"POST /revoke-refresh-tokens": controlRevokeRefreshTokens,
	"POST /users/active":          controlSetUserActive,
	"POST /token":                 controlIssueToken,
	"POST /presence":              controlSetPresence,
	"POST /api-usage":             controlSetAPIUsage,
	"GET /requests":               controlRequestLog,
	"DELETE /requests":            controlAction((*Server).ResetRequests),
}

// controlAction is the route of a call that takes no arguments and
// answers {"ok":true}.
func controlAction(do func(*Server)) controlRoute {
	return func(s *Server, _ *http.Request, _ controlRequest) (any, error) {
		do(s)
		return nil, nil
	}
}

// controlSetLatency adds ms milliseconds to every data call.
func controlSetLatency(s *Server, _ *http.Request, b controlRequest) (any, error) {
	s.SetLatency(time.Duration(b.Ms) * time.Millisecond)
	return nil, nil
}

// controlExpireTokens expires every access token now, or after count more
// API calls.
func controlExpireTokens(s *Server, _ *http.Request, b controlRequest) (any, error) {
	s.ExpireTokensAfter(b.Count)
	return nil, nil
}

// controlSetDown starts an outage (active true) or ends it; a missing
// active ends it.
func controlSetDown(s *Server, _ *http.Request, b controlRequest) (any, error) {
	s.SetDown(b.Active != nil && *b.Active)
	return nil, nil
}

// controlRevokeRefreshTokens revokes the user's refresh tokens (everyone's
// when username is empty).
func controlRevokeRefreshTokens(s *Server, _ *http.Request, b controlRequest) (any, error) {
	s.RevokeRefreshTokens(b.Username)
	return nil, nil
}

// controlSetUserActive activates or deactivates a user; a missing active
// deactivates.
func controlSetUserActive(s *Server, _ *http.Request, b controlRequest) (any, error) {
	return nil, s.SetUserActive(b.Username, b.Active != nil && *b.Active)
}

// controlRequestLog answers with the request log.
func controlRequestLog(s *Server, _ *http.Request, _ controlRequest) (any, error) {
	return s.Requests(), nil
}

// controlFailNext injects count faults (one when count is 0).
func controlFailNext(s *Server, _ *http.Request, b controlRequest) (any, error) {
	n := b.Count
	if n == 0 {
		n = 1
	}
	return nil, s.FailNext(n, FaultKind(b.Kind), b.Path)
}

// controlIssueToken answers with a fresh access token for the user, the
// instance URL and the identity URL.
func controlIssueToken(s *Server, r *http.Request, b controlRequest) (any, error) {
	g, err := s.IssueToken(b.Username)
	if err != nil {
		return nil, err
	}
	return map[string]string{"access_token": g.AccessToken, "instance_url": s.instanceURL(r),
		"id": s.instanceURL(r) + "/id/" + s.org.ID + "/" + g.User.ID}, nil
}

// controlSetPresence answers with the id of the user's presence record.
func controlSetPresence(s *Server, _ *http.Request, b controlRequest) (any, error) {
	id, err := s.SetPresence(b.Username, b.Status)
	if err != nil {
		return nil, err
	}
	return map[string]string{"id": id}, nil
}

// controlSetAPIUsage sets the API requests used today; used is required.
func controlSetAPIUsage(s *Server, _ *http.Request, b controlRequest) (any, error) {
	if b.Used == nil {
		return nil, errors.New("used is required")
	}
	s.SetAPIUsage(*b.Used)
	return nil, nil
}

// writeControlError answers a failed control call: 404 for an unknown
// user, 400 otherwise.
func writeControlError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrUnknownUser) {
		status = http.StatusNotFound
	}
	writeErrors(w, &APIError{Status: status, Code: "SIM_ERROR", Message: err.Error()})
}
