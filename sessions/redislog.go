package sessions

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
)

// RedisLogger carries go-redis's own log lines (a failed dial, a dropped
// pub/sub message, a Sentinel failover) into a slog.Logger at warn level,
// so they read like the rest of the server's logs. Install it with
// redis.SetLogger, which is process-wide. The passwords it is given, and
// the credentials of any URL in a line, are masked.
type RedisLogger struct {
	log     atomic.Pointer[slog.Logger]
	secrets []string
}

// NewRedisLogger returns a RedisLogger writing to log that masks secrets
// (empty ones are ignored), e.g. the passwords of the parsed Redis URL.
func NewRedisLogger(log *slog.Logger, secrets ...string) *RedisLogger {
	l := &RedisLogger{}
	for _, s := range secrets {
		if s != "" {
			l.secrets = append(l.secrets, s)
		}
	}
	l.log.Store(log)
	return l
}

// Detach stops the logger from writing: go-redis keeps the last logger
// installed, and a server that stopped must not be written to.
func (l *RedisLogger) Detach() { l.log.Store(nil) }

// urlCredentials matches the user:password part of a URL.
var urlCredentials = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@`)

// Printf implements go-redis's internal.Logging.
func (l *RedisLogger) Printf(ctx context.Context, format string, v ...any) {
	log := l.log.Load()
	if log == nil || !log.Enabled(ctx, slog.LevelWarn) {
		return
	}
	log.Log(ctx, slog.LevelWarn, "redis client", "detail", l.redact(fmt.Sprintf(format, v...)))
}

// redact masks secrets and URL credentials and drops go-redis's own
// "redis: " prefix and line breaks.
func (l *RedisLogger) redact(s string) string {
	s = urlCredentials.ReplaceAllString(s, "${1}***@")
	for _, secret := range l.secrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	s = strings.TrimPrefix(s, "redis: ")
	return strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
}
