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
//	POST   /__sim__/expire-tokens   expire every access token
//	POST   /__sim__/revoke-refresh-tokens {"username":""}
//	POST   /__sim__/users/active    {"username":"…","active":false}
//	POST   /__sim__/token           {"username":"…"} -> {"access_token","instance_url","id"}
//	POST   /__sim__/presence        {"username":"…","status":"Available"}
//	POST   /__sim__/api-usage       {"used":N}
//	GET    /__sim__/requests        the request log; DELETE empties it
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Kind     string `json:"kind"`
		Count    int    `json:"count"`
		Path     string `json:"path"`
		Ms       int    `json:"ms"`
		Username string `json:"username"`
		Active   *bool  `json:"active"`
		Status   string `json:"status"`
		Used     *int   `json:"used"`
	}
	if r.Method == http.MethodPost && r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
			writeErrors(w, badRequest("JSON_PARSER_ERROR", "invalid control request body"))
			return
		}
	}
	ok := func(v any) {
		if v == nil {
			v = map[string]bool{"ok": true}
		}
		writeJSON(w, http.StatusOK, v)
	}
	fail := func(err error) {
		status := http.StatusBadRequest
		if errors.Is(err, ErrUnknownUser) {
			status = http.StatusNotFound
		}
		writeErrors(w, &APIError{Status: status, Code: "SIM_ERROR", Message: err.Error()})
	}
	route := r.Method + " " + strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/__sim__"), "/")
	switch route {
	case "POST /faults":
		n := body.Count
		if n == 0 {
			n = 1
		}
		if err := s.FailNext(n, FaultKind(body.Kind), body.Path); err != nil {
			fail(err)
			return
		}
		ok(nil)
	case "DELETE /faults":
		s.ClearFaults()
		ok(nil)
	case "POST /latency":
		s.SetLatency(time.Duration(body.Ms) * time.Millisecond)
		ok(nil)
	case "POST /expire-tokens":
		s.ExpireAccessTokens()
		ok(nil)
	case "POST /revoke-refresh-tokens":
		s.RevokeRefreshTokens(body.Username)
		ok(nil)
	case "POST /users/active":
		active := body.Active != nil && *body.Active
		if err := s.SetUserActive(body.Username, active); err != nil {
			fail(err)
			return
		}
		ok(nil)
	case "POST /token":
		g, err := s.IssueToken(body.Username)
		if err != nil {
			fail(err)
			return
		}
		ok(map[string]string{"access_token": g.AccessToken, "instance_url": s.instanceURL(r),
			"id": s.instanceURL(r) + "/id/" + s.org.ID + "/" + g.User.ID})
	case "POST /presence":
		id, err := s.SetPresence(body.Username, body.Status)
		if err != nil {
			fail(err)
			return
		}
		ok(map[string]string{"id": id})
	case "POST /api-usage":
		if body.Used == nil {
			fail(errors.New("used is required"))
			return
		}
		s.SetAPIUsage(*body.Used)
		ok(nil)
	case "GET /requests":
		ok(s.Requests())
	case "DELETE /requests":
		s.ResetRequests()
		ok(nil)
	default:
		writeErrors(w, errNotFound())
	}
}
