package sfsim

import "net/http"

// serveOAuth handles everything under /services/oauth2/.
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented", http.StatusNotImplemented)
}

// serveIdentity handles the identity URL /id/<orgId>/<userId>.
func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented", http.StatusNotImplemented)
}

// serveSOAP handles the partner SOAP endpoint /services/Soap/u/NN.N.
func (s *Server) serveSOAP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented", http.StatusNotImplemented)
}
