package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"

	"github.com/botforge/dialogd/sfsim"
)

// sfDemoRecordObjects are the objects whose records the demo's record
// page shows: those the catalogue's cards link to.
var sfDemoRecordObjects = map[string]bool{
	"Lead": true, "Contact": true, "Account": true, "Opportunity": true, "Case": true, "Campaign": true, "Task": true,
}

// sfDemoRecordID is a 15- or 18-character Salesforce id.
var sfDemoRecordID = regexp.MustCompile(`^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$`)

//go:embed sfdemo_record.html
var sfDemoRecordSource string

var sfDemoRecordPage = template.Must(template.New("sfdemo_record.html").Parse(sfDemoRecordSource))

// sfDemoField is one row of the record page.
type sfDemoField struct{ Label, Value string }

// sfDemoRecordView is what the record page shows.
type sfDemoRecordView struct {
	Object, Name string
	Fields       []sfDemoField
}

// recordPages serves the emulated org's stand-in for Lightning's record
// page, /lightning/r/OBJECT/ID/view, where the cards' "View" links lead:
// the record's set fields with their labels, in the object's field order.
// It reads the org as the demo user, through the data API in-process.
type recordPages struct {
	sim *sfsim.Server
	mu  sync.Mutex
	tok string // the demo user's access token, renewed when refused
}

func (p *recordPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	object, id := r.PathValue("object"), r.PathValue("id")
	if !sfDemoRecordObjects[object] || !sfDemoRecordID.MatchString(id) {
		http.NotFound(w, r)
		return
	}
	var describe struct {
		Label  string `json:"label"`
		Fields []struct{ Name, Label string }
	}
	var record map[string]any
	base := "/services/data/v60.0/sobjects/" + object
	if code := p.get(r, base+"/describe", &describe); code != http.StatusOK {
		http.Error(w, http.StatusText(code), code)
		return
	}
	if code := p.get(r, base+"/"+id, &record); code != http.StatusOK {
		http.Error(w, "botd: no such record in the demo org", code)
		return
	}
	view := sfDemoRecordView{Object: describe.Label}
	for _, f := range describe.Fields {
		v, ok := record[f.Name]
		if !ok || v == nil || v == "" {
			continue
		}
		text := fmt.Sprint(v)
		if f.Name == "Name" || f.Name == "Subject" && view.Name == "" {
			view.Name = text
		}
		view.Fields = append(view.Fields, sfDemoField{f.Label, text})
	}
	var buf bytes.Buffer
	if err := sfDemoRecordPage.Execute(&buf, view); err != nil {
		http.Error(w, "botd: record page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pairPageCSP)
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(buf.Bytes())
}

// get calls the org's data API at path as the demo user and decodes the
// answer into v; it returns the status. A refused token (expired after the
// org's session timeout) is renewed once.
func (p *recordPages) get(r *http.Request, path string, v any) int {
	for range 2 {
		tok, err := p.token(false)
		if err != nil {
			return http.StatusInternalServerError
		}
		req := httptest.NewRequestWithContext(r.Context(), http.MethodGet, path, nil)
		req.Host = r.Host
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		p.sim.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusUnauthorized:
			p.token(true)
			continue
		case http.StatusOK:
			if json.Unmarshal(rec.Body.Bytes(), v) != nil {
				return http.StatusBadGateway
			}
		}
		return rec.Code
	}
	return http.StatusUnauthorized
}

// token returns the demo user's access token, a new one when renew.
func (p *recordPages) token(renew bool) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tok == "" || renew {
		creds, err := p.sim.Credentials()
		if err != nil {
			return "", err
		}
		g, err := p.sim.IssueToken(creds.Username)
		if err != nil {
			return "", err
		}
		p.tok = g.AccessToken
	}
	return p.tok, nil
}
