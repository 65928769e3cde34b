package sfsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// snapshot is the persisted state of a server (WithDataFile).
type snapshot struct {
	Format         int                      `json:"format"`
	Org            snapOrg                  `json:"org"`
	Users          []*User                  `json:"users"`
	Apps           []*ConnectedApp          `json:"apps"`
	CustomFields   map[string][]CustomField `json:"customFields,omitempty"`
	Records        map[string][]snapRow     `json:"records"`
	Grants         []snapGrant              `json:"grants"`
	Serial         uint64                   `json:"serial"`
	Usage          int                      `json:"usage"`
	UsageDay       string                   `json:"usageDay"`
	DuplicateRules []DuplicateRule          `json:"duplicateRules"`
}

type snapOrg struct {
	ID             string        `json:"id"`
	Name           string        `json:"name"`
	MyDomain       string        `json:"myDomain"`
	SessionTimeout time.Duration `json:"sessionTimeout"`
	DailyAPILimit  int           `json:"dailyApiLimit"`
}

type snapRow struct {
	Deleted bool           `json:"deleted,omitempty"`
	Fields  map[string]any `json:"fields"`
}

type snapGrant struct {
	AccessToken  string    `json:"accessToken"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	UserID       string    `json:"userId"`
	AppKey       string    `json:"appKey,omitempty"`
	Scopes       []string  `json:"scopes"`
	IssuedAt     time.Time `json:"issuedAt"`
	Family       string    `json:"family"`
	Expired      bool      `json:"expired,omitempty"`
	Access       bool      `json:"access"`  // listed under its access token
	Refresh      bool      `json:"refresh"` // listed under its refresh token
}

const snapshotFormat = 1

// Save writes the org to the data file given with WithDataFile (atomically,
// through a temporary file). Without a data file it does nothing.
func (s *Server) Save() error {
	if s.dataFile == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.mu.Lock()
	snap := s.snapshotLocked()
	s.dirty = false
	s.mu.Unlock()
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("save %s: %w", s.dataFile, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.dataFile), ".sfsim-*")
	if err != nil {
		return fmt.Errorf("save %s: %w", s.dataFile, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("save %s: %w", s.dataFile, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save %s: %w", s.dataFile, err)
	}
	if err := os.Rename(tmp.Name(), s.dataFile); err != nil {
		return fmt.Errorf("save %s: %w", s.dataFile, err)
	}
	return nil
}

// SaveIfChanged saves when anything changed since the last save.
func (s *Server) SaveIfChanged() error {
	s.mu.RLock()
	d := s.dirty
	s.mu.RUnlock()
	if !d {
		return nil
	}
	return s.Save()
}

// Close saves the org when a data file is configured.
func (s *Server) Close() error { return s.Save() }

func (s *Server) markDirty() {
	s.mu.Lock()
	s.dirty = true
	s.mu.Unlock()
}

func (s *Server) snapshotLocked() *snapshot {
	snap := &snapshot{Format: snapshotFormat, Users: s.org.Users, Apps: s.org.Apps, CustomFields: s.custom,
		Records: map[string][]snapRow{}, Serial: s.serial, Usage: s.usage, UsageDay: s.usageDay, DuplicateRules: s.org.DuplicateRules,
		Org: snapOrg{ID: s.org.ID, Name: s.org.Name, MyDomain: s.org.MyDomain, SessionTimeout: s.org.SessionTimeout, DailyAPILimit: s.org.DailyAPILimit}}
	for _, name := range s.db.schema.names {
		t := s.db.table(name)
		if name == "User" {
			continue
		}
		rows := make([]snapRow, 0, len(t.rows))
		for _, r := range t.rows {
			rows = append(rows, snapRow{Deleted: r.deleted, Fields: r.f})
		}
		snap.Records[name] = rows
	}
	byGrant := map[*Grant]*snapGrant{}
	add := func(g *Grant) *snapGrant {
		if sg, ok := byGrant[g]; ok {
			return sg
		}
		sg := &snapGrant{AccessToken: g.AccessToken, RefreshToken: g.RefreshToken, UserID: g.User.ID, Scopes: g.Scopes,
			IssuedAt: g.IssuedAt, Family: g.family, Expired: g.expired}
		if g.App != nil {
			sg.AppKey = g.App.ConsumerKey
		}
		byGrant[g] = sg
		return sg
	}
	for _, g := range s.grants {
		add(g).Access = true
	}
	for _, g := range s.refresh {
		add(g).Refresh = true
	}
	for _, sg := range byGrant {
		snap.Grants = append(snap.Grants, *sg)
	}
	sort.Slice(snap.Grants, func(i, j int) bool { return snap.Grants[i].AccessToken < snap.Grants[j].AccessToken })
	return snap
}

// load restores a snapshot. It reports false when the file does not exist.
func (s *Server) load(path string) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load %s: %w", path, err)
	}
	var snap snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return false, fmt.Errorf("load %s: %w", path, err)
	}
	if snap.Format != snapshotFormat {
		return false, fmt.Errorf("load %s: unsupported format %d", path, snap.Format)
	}
	sc, err := newSchema(snap.CustomFields)
	if err != nil {
		return false, fmt.Errorf("load %s: %w", path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org = &Org{ID: snap.Org.ID, Name: snap.Org.Name, MyDomain: snap.Org.MyDomain, SessionTimeout: snap.Org.SessionTimeout,
		DailyAPILimit: snap.Org.DailyAPILimit, Users: snap.Users, Apps: snap.Apps, DuplicateRules: snap.DuplicateRules}
	s.custom = snap.CustomFields
	s.db = newStore(sc)
	s.serial, s.usage, s.usageDay = snap.Serial, snap.Usage, snap.UsageDay
	now := s.now()
	for _, u := range s.org.Users {
		s.putUserRecordLocked(u, now)
	}
	for name, rows := range snap.Records {
		t := s.db.table(name)
		if t == nil {
			return false, fmt.Errorf("load %s: unknown object %q", path, name)
		}
		for _, sr := range rows {
			id, _ := sr.Fields["Id"].(string)
			if !looksLikeID(id) {
				return false, fmt.Errorf("load %s: %s record without a valid Id", path, name)
			}
			r := t.insert(sr.Fields)
			if sr.Deleted {
				t.indexRemove(r)
				r.deleted = true
				t.live--
			}
		}
	}
	users := map[string]*User{}
	for _, u := range s.org.Users {
		users[u.ID] = u
	}
	for _, sg := range snap.Grants {
		u := users[sg.UserID]
		if u == nil {
			continue
		}
		g := &Grant{AccessToken: sg.AccessToken, RefreshToken: sg.RefreshToken, User: u, Scopes: sg.Scopes, IssuedAt: sg.IssuedAt,
			family: sg.Family, expired: sg.Expired}
		for _, a := range s.org.Apps {
			if a.ConsumerKey == sg.AppKey && sg.AppKey != "" {
				g.App = a
			}
		}
		if sg.Access {
			s.grants[g.AccessToken] = g
		}
		if sg.Refresh && g.RefreshToken != "" {
			s.refresh[g.RefreshToken] = g
		}
	}
	return true, nil
}
