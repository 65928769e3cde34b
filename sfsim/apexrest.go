package sfsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apexPresencePath is the urlMapping of the Apex REST class dialogd ships
// for Omni-Channel presence (docs/salesforce/DialogdPresence.cls).
const apexPresencePath = "/dialogd/presence"

// serveApexREST handles /services/apexrest/…: the Apex REST classes an admin
// has installed, here only DialogdPresence. Calls are authenticated,
// counted and faulted like data API calls.
func (s *Server) serveApexREST(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.admitCall(w, r); !ok {
		return
	}
	p := "/" + strings.Trim(strings.TrimPrefix(r.URL.Path, "/services/apexrest"), "/")
	if p != apexPresencePath {
		writeErrors(w, &APIError{Status: http.StatusNotFound, Code: "NOT_FOUND", Message: "Could not find a match for URL " + p})
		return
	}
	switch r.Method {
	case http.MethodPost:
		s.serveApexSetPresence(w, r)
	case http.MethodGet, http.MethodHead:
		s.serveApexCurrentPresence(w, r)
	default:
		writeErrors(w, errNotAllowed(r.Method, "GET,HEAD,POST"))
	}
}

// apexPresenceAnswer is the class's answer: the user's presence row and
// status (null ids: offline). A POST's answer says whether the change was
// in effect when the call returned (Applied; always in sfsim, while in a
// real org the agent's console applies it a moment later, and presenceId
// is null).
type apexPresenceAnswer struct {
	PresenceID *string `json:"presenceId"`
	StatusID   *string `json:"statusId"`
	Status     string  `json:"status"`
	Applied    *bool   `json:"applied,omitempty"`
}

// answerOf is the answer for presence p; status names an offline p.
func answerOf(p Presence, status string) apexPresenceAnswer {
	a := apexPresenceAnswer{Status: status}
	if p.ID != "" {
		a.PresenceID, a.StatusID, a.Status = &p.ID, &p.StatusID, p.Status
	}
	return a
}

// serveApexSetPresence is DialogdPresence's @HttpPost: body
// {"userId":"005…","status":"<DeveloperName>"}.
func (s *Server) serveApexSetPresence(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserID *string `json:"userId"`
		Status *string `json:"status"`
	}
	if err := readApexParams(r, &body, "userId", "status"); err != nil {
		writeErrors(w, err)
		return
	}
	var missing []string
	if body.UserID == nil || strings.TrimSpace(*body.UserID) == "" {
		missing = append(missing, "userId")
	}
	if body.Status == nil || strings.TrimSpace(*body.Status) == "" {
		missing = append(missing, "status")
	}
	if len(missing) > 0 {
		writeErrors(w, badRequest("REQUIRED_FIELD_MISSING", "Required fields are missing: ["+strings.Join(missing, ", ")+"]", missing...))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, aerr := s.activeUserLocked(*body.UserID)
	if aerr != nil {
		writeErrors(w, aerr)
		return
	}
	p, err := s.setPresenceLocked(u, strings.TrimSpace(*body.Status))
	if err != nil {
		writeErrors(w, badRequest("INVALID_STATUS", fmt.Sprintf("No presence status with developer name '%s'", *body.Status), "status"))
		return
	}
	a, applied := answerOf(p, OfflineStatus), true
	a.Applied = &applied
	writeJSON(w, http.StatusOK, a)
}

// serveApexCurrentPresence is DialogdPresence's @HttpGet: ?userId=005…
// answers the user's current presence, or 404 when the user is offline.
func (s *Server) serveApexCurrentPresence(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("userId")
	if strings.TrimSpace(id) == "" {
		writeErrors(w, badRequest("REQUIRED_FIELD_MISSING", "Required fields are missing: [userId]", "userId"))
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, aerr := s.activeUserLocked(id)
	if aerr != nil {
		writeErrors(w, aerr)
		return
	}
	p := s.currentPresenceLocked(u.ID)
	if p.ID == "" {
		writeErrors(w, &APIError{Status: http.StatusNotFound, Code: "NOT_FOUND", Message: "User " + u.ID + " is offline in Omni-Channel"})
		return
	}
	writeJSON(w, http.StatusOK, answerOf(p, ""))
}

// activeUserLocked finds the active user with id, or the class's
// INVALID_USER error. The caller holds the lock.
func (s *Server) activeUserLocked(id string) (*User, *APIError) {
	u := s.userByIDLocked(strings.TrimSpace(id))
	switch {
	case u == nil:
		return nil, badRequest("INVALID_USER", "No user with id '"+id+"'", "userId")
	case !u.Active:
		return nil, badRequest("INVALID_USER", "User '"+u.ID+"' is inactive", "userId")
	}
	return u, nil
}

// readApexParams decodes an Apex REST body whose top-level keys are the
// method's parameters, as Salesforce does: a key that is no parameter is
// JSON_PARSER_ERROR "Unexpected parameter encountered during
// deserialization".
func readApexParams(r *http.Request, v any, params ...string) *APIError {
	var raw map[string]json.RawMessage
	if aerr := readBody(r, &raw); aerr != nil {
		return aerr
	}
	for k := range raw {
		known := false
		for _, p := range params {
			known = known || k == p
		}
		if !known {
			return badRequest("JSON_PARSER_ERROR", "Unexpected parameter encountered during deserialization: "+k)
		}
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, v); err != nil {
		return &APIError{Status: http.StatusBadRequest, Code: "JSON_PARSER_ERROR", Message: jsonErrMessage(b, err)}
	}
	return nil
}
