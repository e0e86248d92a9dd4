package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/argon2"
)

// File keeps secrets in one file, sealed with AES-256-GCM under a key
// derived from a passphrase with argon2id. It exists for machines with no
// keyring, and only when the user asks for it.
type File struct {
	path string
	key  []byte
	salt []byte
	mu   sync.Mutex
	m    map[string]string
}

type fileFormat struct {
	Version int    `json:"version"`
	KDF     string `json:"kdf"`
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memoryKiB"`
	Threads uint8  `json:"threads"`
	Salt    []byte `json:"salt"`
	Nonce   []byte `json:"nonce"`
	Sealed  []byte `json:"sealed"`
}

const (
	kdfTime    = 2
	kdfMemory  = 64 * 1024
	kdfThreads = 2
)

// ErrWrongPassphrase: the file did not open with that passphrase.
var ErrWrongPassphrase = errors.New("the secrets file does not open with that passphrase")

// OpenFile opens (or creates) a sealed secrets file.
func OpenFile(path string, passphrase []byte) (*File, error) {
	if len(passphrase) < 8 {
		return nil, errors.New("a secrets-file passphrase is at least 8 characters")
	}
	f := &File{path: path, m: map[string]string{}}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		f.salt = make([]byte, 16)
		rand.Read(f.salt)
		f.key = argon2.IDKey(passphrase, f.salt, kdfTime, kdfMemory, kdfThreads, 32)
		return f, f.save()
	case err != nil:
		return nil, err
	}
	var ff fileFormat
	if err := json.Unmarshal(b, &ff); err != nil || ff.Version != 1 || ff.KDF != "argon2id" {
		return nil, fmt.Errorf("%s is not a p2pdesk secrets file", path)
	}
	f.salt = ff.Salt
	f.key = argon2.IDKey(passphrase, ff.Salt, ff.Time, ff.Memory, ff.Threads, 32)
	aead, err := newAEAD(f.key)
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, ff.Nonce, ff.Sealed, []byte("p2pdesk secrets v1"))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	if err := json.Unmarshal(plain, &f.m); err != nil {
		return nil, fmt.Errorf("%s is damaged", path)
	}
	return f, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// save writes the sealed file atomically with mode 0600.
func (f *File) save() error {
	plain, err := json.Marshal(f.m)
	if err != nil {
		return err
	}
	aead, err := newAEAD(f.key)
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	out, err := json.Marshal(fileFormat{Version: 1, KDF: "argon2id", Time: kdfTime, Memory: kdfMemory, Threads: kdfThreads,
		Salt: f.salt, Nonce: nonce, Sealed: aead.Seal(nil, nonce, plain, []byte("p2pdesk secrets v1"))})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return err
	}
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, f.path)
}

func (f *File) Get(key string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (f *File) Set(key, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[key] = value
	return f.save()
}

func (f *File) Delete(key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[key]; !ok {
		return ErrNotFound
	}
	delete(f.m, key)
	return f.save()
}

func (f *File) Describe() string { return "encrypted file " + f.path + " (argon2id + AES-256-GCM)" }
func (f *File) Persistent() bool { return true }
