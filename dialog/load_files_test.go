package dialog_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

// loadOrHang loads the bot in dir with load, failing the test if it does
// not return within 10 s (a guard against a hang, not a measure: a
// refusal takes microseconds). A load stuck opening a FIFO is released by
// opening the FIFOs of dir for writing.
func loadOrHang(t *testing.T, dir string, load func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- load() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type()&fs.ModeNamedPipe != 0 {
				if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
			}
			return nil
		})
		t.Fatalf("loading %s did not return in 10 s", dir)
		return nil
	}
}

// TestLoadRefusesFilesNotInTheBot (review of issue 11, finding 3): a FIFO,
// a directory or a symbolic link out of the bot directory where the loader
// expects a file is refused at once with "file: reason", through LoadDir
// (botctl lint) and through LoadFS on os.DirFS (botd); a link that stays
// inside loads. On the old code the FIFO hung the loader and the links
// read /etc/passwd and files outside the bot.
func TestLoadRefusesFilesNotInTheBot(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "zz.yaml"), []byte(strings.Replace(okTask, "name: t", "name: zz", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // dir holds bot.yaml and tasks/t.yaml
		want  string                         // the error, DIR/ prefixed; "" loads
	}{
		{"FIFO task file", func(t *testing.T, dir string) { mkfifo(t, filepath.Join(dir, "tasks/zz.yaml")) },
			"tasks/zz.yaml: not a regular file"},
		{"FIFO bot.yaml", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "bot.yaml"))
			mkfifo(t, filepath.Join(dir, "bot.yaml"))
		}, "bot.yaml: not a regular file"},
		{"directory named like a task file", func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "tasks/zz.yaml"), 0o755) },
			"tasks/zz.yaml: not a regular file"},
		{"link to /etc/passwd", func(t *testing.T, dir string) { symlink(t, "/etc/passwd", filepath.Join(dir, "tasks/zz.yaml")) },
			`tasks/zz.yaml: symbolic link to "/etc/passwd" leads out of the bot directory`},
		{"relative link out", func(t *testing.T, dir string) {
			symlink(t, "../../../../../../../../../../etc/passwd", filepath.Join(dir, "tasks/zz.yaml"))
		}, `tasks/zz.yaml: symbolic link to "../../../../../../../../../../etc/passwd" leads out of the bot directory`},
		{"tasks directory linked out", func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "tasks"))
			symlink(t, outside, filepath.Join(dir, "tasks"))
		}, `tasks: symbolic link to "` + outside + `" leads out of the bot directory`},
		{"link inside the bot", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "shared"), 0o755)
			os.WriteFile(filepath.Join(dir, "shared/zz.yaml"), []byte(strings.Replace(okTask, "name: t", "name: zz", 1)), 0o644)
			symlink(t, "../shared/zz.yaml", filepath.Join(dir, "tasks/zz.yaml"))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A fresh directory per loader: the old code, released from a
			// FIFO, may still be reading.
			for _, loader := range []struct {
				name string
				load func(dir string) error
			}{
				{"LoadDir", func(dir string) error { _, err := dialog.LoadDir(dir); return err }},
				{"LoadFS(os.DirFS)", func(dir string) error {
					_, err := dialog.LoadFS(os.DirFS(dir), dir, nodes.Default())
					return err
				}},
			} {
				dir := writeBot(t, map[string]string{"bot.yaml": "name: b\n", "tasks/t.yaml": okTask})
				tt.setup(t, dir)
				err := loadOrHang(t, dir, func() error { return loader.load(dir) })
				got := ""
				if err != nil {
					got = err.Error()
				}
				want := ""
				if tt.want != "" {
					want = dir + "/" + tt.want
				}
				if got != want {
					t.Errorf("%s:\ngot  %s\nwant %s", loader.name, got, want)
				}
			}
		})
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// TestLoadFSChecksFileTypes: the same refusals on an in-memory FS
// (fstest.MapFS, as tests and templates use): a named pipe and a link out
// are refused, a link inside loads.
func TestLoadFSChecksFileTypes(t *testing.T) {
	zz := &fstest.MapFile{Data: []byte(strings.Replace(okTask, "name: t", "name: zz", 1))}
	for _, tt := range []struct {
		name string
		file *fstest.MapFile // at tasks/zz.yaml
		want string
	}{
		{"named pipe", &fstest.MapFile{Mode: fs.ModeNamedPipe}, "bot/tasks/zz.yaml: not a regular file"},
		{"link out", &fstest.MapFile{Mode: fs.ModeSymlink, Data: []byte("../../etc/passwd")},
			`bot/tasks/zz.yaml: symbolic link to "../../etc/passwd" leads out of the bot directory`},
		{"absolute link", &fstest.MapFile{Mode: fs.ModeSymlink, Data: []byte("/etc/passwd")},
			`bot/tasks/zz.yaml: symbolic link to "/etc/passwd" leads out of the bot directory`},
		{"link loop", &fstest.MapFile{Mode: fs.ModeSymlink, Data: []byte("zz.yaml")},
			"bot/tasks/zz.yaml: more than 16 symbolic links"},
		{"link inside", &fstest.MapFile{Mode: fs.ModeSymlink, Data: []byte("../shared/zz.yaml")}, ""},
	} {
		fsys := fstest.MapFS{
			"bot.yaml":       {Data: []byte("name: b\n")},
			"tasks/t.yaml":   {Data: []byte(okTask)},
			"shared/zz.yaml": zz,
			"tasks/zz.yaml":  tt.file,
		}
		_, err := dialog.LoadFS(fsys, "bot", nodes.Default())
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
