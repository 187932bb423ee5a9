package documents

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sigess/sigess/internal/derrors"
)

// FS stores documents as files under a directory, one per key.
type FS struct {
	root string
}

// NewFS returns the storage under root, creating it.
func NewFS(root string) (*FS, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("documents.NewFS(%s): %w", root, err)
	}
	return &FS{root: root}, nil
}

// Put writes the bytes to a temporary file next to the key's and renames it
// into place once synced, so a key names a whole file or nothing.
func (s *FS) Put(ctx context.Context, key string, r io.Reader) (int64, []byte, error) {
	if err := checkKey(key); err != nil {
		return 0, nil, fmt.Errorf("documents.FS.Put: %w", err)
	}
	path := filepath.Join(s.root, filepath.FromSlash(key))
	size, sum, err := s.put(path, r)
	if err != nil {
		return 0, nil, fmt.Errorf("documents.FS.Put(%s): %w", key, err)
	}
	return size, sum, nil
}

func (s *FS) put(path string, r io.Reader) (size int64, sum []byte, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return 0, nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return 0, nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	if size, err = io.Copy(io.MultiWriter(f, h), r); err != nil {
		return 0, nil, err
	}
	if err = f.Sync(); err != nil {
		return 0, nil, err
	}
	if err = f.Close(); err != nil {
		return 0, nil, err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return 0, nil, err
	}
	return size, h.Sum(nil), nil
}

// Open opens the key's file.
func (s *FS) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("documents.FS.Open: %w", err)
	}
	f, err := os.Open(filepath.Join(s.root, filepath.FromSlash(key)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("documents.FS.Open(%s): %w", key, derrors.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("documents.FS.Open(%s): %w", key, err)
	}
	return f, nil
}
