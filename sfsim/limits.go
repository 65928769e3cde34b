package sfsim

import "net/http"

// countCall counts one data API call against the daily limit. allowed is
// false when the limit was already reached (the call is then not counted).
// The count resets when the server clock's UTC date changes.
func (s *Server) countCall() (used, max int, allowed bool) {
	day := s.now().UTC().Format("2006-01-02")
	s.mu.Lock()
	defer s.mu.Unlock()
	if day != s.usageDay {
		s.usageDay, s.usage = day, 0
	}
	max = s.org.DailyAPILimit
	if s.usage >= max {
		return s.usage, max, false
	}
	s.usage++
	return s.usage, max, true
}

// APIUsage returns the calls counted today and the daily maximum.
func (s *Server) APIUsage() (used, max int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.usage, s.org.DailyAPILimit
}

// SetAPIUsage sets today's call count (to test the limit without making
// thousands of calls).
func (s *Server) SetAPIUsage(n int) {
	day := s.now().UTC().Format("2006-01-02")
	s.mu.Lock()
	s.usage, s.usageDay = n, day
	s.mu.Unlock()
}

func (s *Server) serveLimits(d *dataReq) {
	if d.r.Method != http.MethodGet {
		writeErrors(d.w, errNotAllowed(d.r.Method, "GET,HEAD"))
		return
	}
	used, max := s.APIUsage()
	lim := func(m, r int) map[string]int { return map[string]int{"Max": m, "Remaining": r} }
	writeJSON(d.w, http.StatusOK, map[string]any{
		"ConcurrentAsyncGetReportInstances": lim(200, 200),
		"ConcurrentSyncReportRuns":          lim(20, 20),
		"DailyApiRequests":                  lim(max, max-used),
		"DailyAsyncApexExecutions":          lim(250000, 250000),
		"DailyBulkApiBatches":               lim(15000, 15000),
		"DailyBulkV2QueryFileStorageMB":     lim(976562, 976562),
		"DailyBulkV2QueryJobs":              lim(10000, 10000),
		"DailyStreamingApiEvents":           lim(10000, 10000),
		"DataStorageMB":                     lim(5, 5),
		"FileStorageMB":                     lim(20, 20),
		"HourlyDashboardRefreshes":          lim(200, 200),
		"HourlyODataCallout":                lim(10000, 10000),
		"HourlySyncReportRuns":              lim(500, 500),
		"MassEmail":                         lim(10, 10),
		"SingleEmail":                       lim(15, 15),
	})
}

// SetDailyAPILimit changes the org's DailyApiRequests maximum.
func (s *Server) SetDailyAPILimit(n int) {
	s.mu.Lock()
	s.org.DailyAPILimit = n
	s.mu.Unlock()
}
