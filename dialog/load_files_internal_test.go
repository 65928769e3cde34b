package dialog

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// swappedFS reports every file as the regular file it was when checked,
// as if it was replaced by something else between the check and the open.
type swappedFS struct{ *rootFS }

func (s swappedFS) Lstat(name string) (fs.FileInfo, error) {
	info, err := s.rootFS.Lstat(name)
	if err != nil || info.IsDir() {
		return info, err
	}
	return regularInfo{info}, nil
}

type regularInfo struct{ fs.FileInfo }

func (regularInfo) Mode() fs.FileMode { return 0o644 }

// TestOpenRegularAfterASwap: a FIFO put in place of a file after the
// loader checked it is opened without blocking and refused (the FIFO has
// no writer: a blocking open would never return).
func TestOpenRegularAfterASwap(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "bot.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := openRootFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	l := &loader{fsys: swappedFS{root}, dir: dir}
	done := make(chan error, 1)
	go func() {
		f, err := l.openRegular("bot.yaml")
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errNotRegular) {
			t.Errorf("openRegular of a FIFO that looked regular: %v, want %v", err, errNotRegular)
		}
	case <-time.After(10 * time.Second): // a hang guard, not a measure
		t.Fatal("openRegular blocked on the FIFO")
	}
}
