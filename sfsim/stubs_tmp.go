package sfsim

import (
	"net/http"
	"time"
)

type faultState struct{}

func (f *faultState) delay(r *http.Request) bool { return false }

const defaultLogSize = 1000

type reqLog struct{ max int }

func (l *reqLog) add(r *http.Request, status int, d time.Duration) {}

type cursor struct{}

func (s *Server) load(path string) (bool, error) { return false, nil }
func (s *Server) markDirty()                     { s.mu.Lock(); s.dirty = true; s.mu.Unlock() }
func (s *Server) serveData(w http.ResponseWriter, r *http.Request) {
	writeErrors(w, errNotFound())
}
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) { writeErrors(w, errNotFound()) }

const defaultVersion = "63.0"

func errInvalidType(object string) *APIError {
	return badRequest("INVALID_TYPE", "sObject type '"+object+"' is not supported.")
}
