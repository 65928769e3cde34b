package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestRedisLoggerWritesWarnJSONWithoutSecrets(t *testing.T) {
	tests := []struct {
		name, format string
		args         []any
		want         string
	}{
		{"dial failure", "redis: connection pool: failed to dial after %d attempts: %v", []any{2, "dial tcp 127.0.0.1:6390: connect: connection refused"},
			"connection pool: failed to dial after 2 attempts: dial tcp 127.0.0.1:6390: connect: connection refused"},
		{"password in text", "sentinel: auth failed with %s", []any{"hunter2-secret"}, "sentinel: auth failed with ***"},
		{"url credentials", "bad addr %s", []any{"redis://admin:s3cr3t@10.0.0.1:6379/0"}, "bad addr redis://***@10.0.0.1:6379/0"},
		{"line breaks", "panic: %v\n%s", []any{"boom", "stack\nline"}, "panic: boom stack line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := NewRedisLogger(slog.New(slog.NewJSONHandler(&buf, nil)), "hunter2-secret", "")
			l.Printf(context.Background(), tt.format, tt.args...)
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("log line %q is not JSON: %v", buf.String(), err)
			}
			if rec["level"] != "WARN" || rec["msg"] != "redis client" {
				t.Errorf("level, msg = %v, %v; want WARN, redis client", rec["level"], rec["msg"])
			}
			if got := rec["detail"]; got != tt.want {
				t.Errorf("detail = %q, want %q", got, tt.want)
			}
			if strings.Contains(buf.String(), "s3cr3t") || strings.Contains(buf.String(), "hunter2") {
				t.Errorf("secret in log line %s", buf.String())
			}
		})
	}
}

func TestRedisLoggerDetached(t *testing.T) {
	var buf bytes.Buffer
	l := NewRedisLogger(slog.New(slog.NewJSONHandler(&buf, nil)))
	l.Detach()
	l.Printf(context.Background(), "redis: %s", "after stop")
	if buf.Len() != 0 {
		t.Errorf("a detached logger wrote %q", buf.String())
	}
}
