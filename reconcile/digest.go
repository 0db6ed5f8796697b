package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/supctl/supctl/schema"
)

// Digest identifies a config: "sha256:" and the hex SHA-256 of its JSON
// encoding (map keys sorted, so equal configs have equal digests whatever
// files they were written in).
func Digest(cfg *schema.Config) (string, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("digest config: %w", err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
