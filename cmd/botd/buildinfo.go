package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// buildInfo says which botd this is, from what the Go toolchain recorded
// in the binary.
type buildInfo struct {
	Version   string // module version, "devel" for a build of a working tree
	Revision  string // VCS revision, "+dirty" appended for modified trees; "unknown" when not recorded
	GoVersion string
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: "devel", Revision: "unknown", GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		b.Version = v
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && b.Revision != "unknown" {
		b.Revision += "+dirty"
	}
	return b
}

// String is what botd -version prints.
func (b buildInfo) String() string {
	return fmt.Sprintf("botd %s (revision %s, %s)", b.Version, b.Revision, b.GoVersion)
}

// collector is the dialogd_build_info gauge: always 1, the build in its labels.
func (b buildInfo) collector() prometheus.Collector {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "dialogd_build_info",
		Help: "Always 1; the labels say which build of botd is running.",
	}, []string{"version", "revision", "go_version"})
	g.WithLabelValues(b.Version, b.Revision, b.GoVersion).Set(1)
	return g
}
