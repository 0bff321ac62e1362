package oci

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/bkt-dev/bkt/internal/fail"
)

// AuthFiles are the credential files read, first match wins: podman's
// (the containers convention) before Docker's, unlike go-containerregistry's
// default keychain, which reads Docker's first. $REGISTRY_AUTH_FILE, when
// set, comes first, as podman and skopeo read it.
func AuthFiles() []string {
	var files []string
	if f := os.Getenv("REGISTRY_AUTH_FILE"); f != "" {
		files = append(files, f)
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		files = append(files, filepath.Join(d, "containers", "auth.json"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".docker", "config.json"))
	}
	return files
}

// fileKeychain finds a registry's credentials in auth files.
type fileKeychain struct{ files []string }

// authEntry is one "auths" entry of auth.json / config.json.
type authEntry struct {
	Auth          string `json:"auth"`
	IdentityToken string `json:"identitytoken"`
}

// Resolve implements authn.Keychain. Keys are tried from the most precise
// (host/namespace/repo) to the host alone, with or without a scheme, and
// Docker Hub's historical key.
func (k fileKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	keys := keysFor(target)
	for _, f := range k.files {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fail.Wrap(fail.General, err, "Cannot read the registry credentials in %s", f).WithDetail("%v", err)
		}
		var doc struct {
			Auths map[string]authEntry `json:"auths"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fail.Wrap(fail.Validation, err, "%s is not valid JSON", f).WithDetail("%v", err).
				Next("Log in again to rewrite it: podman login " + target.RegistryStr())
		}
		for _, key := range keys {
			e, ok := doc.Auths[key]
			if !ok {
				continue
			}
			cfg := authn.AuthConfig{IdentityToken: e.IdentityToken}
			if e.Auth != "" {
				raw, err := base64.StdEncoding.DecodeString(e.Auth)
				user, pass, found := strings.Cut(string(raw), ":")
				if err != nil || !found {
					return nil, fail.New(fail.Validation, "The credentials for %s in %s cannot be read", key, f).
						Next("Log in again: podman login " + target.RegistryStr())
				}
				cfg.Username, cfg.Password = user, pass
			}
			return authn.FromConfig(cfg), nil
		}
	}
	return authn.Anonymous, nil
}

func keysFor(target authn.Resource) []string {
	host := target.RegistryStr()
	var keys []string
	if repo, ok := target.(name.Repository); ok {
		p := repo.RepositoryStr()
		for p != "" {
			keys = append(keys, host+"/"+p)
			i := strings.LastIndexByte(p, '/')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	keys = append(keys, host, "https://"+host, "http://"+host)
	if host == name.DefaultRegistry {
		keys = append(keys, "docker.io", authn.DefaultAuthKey)
	}
	return keys
}
