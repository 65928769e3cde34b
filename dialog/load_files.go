package dialog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
)

// The loader opens only regular files inside the bot directory. A FIFO or
// a device would block it or feed it without end, and a symbolic link
// leaving the directory would read files the bot's author has no business
// reading (a bot may come from a tenant or a template).
var (
	errNotRegular = errors.New("not a regular file")
	errNotDir     = errors.New("not a directory")
)

// maxLinkHops bounds the symbolic links followed for one path (a loop of
// links ends here).
const maxLinkHops = 16

// openRegular opens the file p of the bot directory, after checking that
// it, and every directory on the way, stays inside the directory and that
// it is a regular file. The opened file is checked again, in case it was
// replaced meanwhile.
func (l *loader) openRegular(p string) (fs.File, error) {
	resolved, info, err := resolveInside(l.fsys, p)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errNotRegular
	}
	f, err := l.fsys.Open(resolved)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, errNotRegular
	}
	return f, nil
}

// checkDir reports why the directory p of the bot directory cannot be
// listed: it leaves the directory or is not a directory; nil when it is
// fine or absent (an absent directory holds no files).
func (l *loader) checkDir(p string) error {
	_, info, err := resolveInside(l.fsys, p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !info.IsDir():
		return errNotDir
	}
	return nil
}

// resolveInside follows the symbolic links of p in fsys, one path element
// at a time, and returns the path without links and what it names (not
// followed). It fails for a link that leads out of fsys (an absolute
// target, or one climbing above the root) and for any link when fsys
// cannot read links.
func resolveInside(fsys fs.FS, p string) (string, fs.FileInfo, error) {
	todo := strings.Split(p, "/")
	resolved := "."
	var info fs.FileInfo
	for hops := 0; len(todo) > 0; {
		next := path.Join(resolved, todo[0])
		todo = todo[1:]
		var err error
		if info, err = lstat(fsys, next); err != nil {
			return "", nil, err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", nil, fmt.Errorf("more than %d symbolic links", maxLinkHops)
		}
		rl, ok := fsys.(fs.ReadLinkFS)
		if !ok {
			return "", nil, fmt.Errorf("%s is a symbolic link, which this bot directory cannot follow", next)
		}
		target, err := rl.ReadLink(next)
		if err != nil {
			return "", nil, err
		}
		inside := path.Join(resolved, target)
		if path.IsAbs(target) || inside == ".." || strings.HasPrefix(inside, "../") {
			return "", nil, fmt.Errorf("symbolic link to %q leads out of the bot directory", target)
		}
		todo = append(strings.Split(inside, "/"), todo...)
		resolved = "."
	}
	return resolved, info, nil
}

// lstat describes name without following a final symbolic link: through
// fs.ReadLinkFS, or else through its directory's listing (which any FS
// gives without opening name itself).
func lstat(fsys fs.FS, name string) (fs.FileInfo, error) {
	if name == "." {
		return fs.Stat(fsys, name)
	}
	if rl, ok := fsys.(fs.ReadLinkFS); ok {
		return rl.Lstat(name)
	}
	entries, err := fs.ReadDir(fsys, path.Dir(name))
	if err != nil {
		return nil, err
	}
	base := path.Base(name)
	for _, e := range entries {
		if e.Name() == base {
			return e.Info()
		}
	}
	return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
}

// rootFS is a bot directory opened as an [os.Root]: no path, link or ".."
// leaves it, whatever changes on disk while loading. Files are opened
// without blocking, so a FIFO put in place of a checked file cannot stall
// the loader; [loader.openRegular] then refuses it.
type rootFS struct {
	root *os.Root
	fs.FS
}

func openRootFS(dir string) (*rootFS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("dialog: %w", err)
	}
	return &rootFS{root: root, FS: root.FS()}, nil
}

func (r *rootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := r.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (r *rootFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(r.FS, name) }
func (r *rootFS) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(r.FS, name) }
func (r *rootFS) ReadLink(name string) (string, error)       { return fs.ReadLink(r.FS, name) }
func (r *rootFS) Lstat(name string) (fs.FileInfo, error)     { return fs.Lstat(r.FS, name) }
func (r *rootFS) Close() error                               { return r.root.Close() }
