package editorschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/supctl/supctl/schema/schematest"
)

// compile generates the JSON Schema and compiles it with an independent
// validator (draft 2020-12, its own metaschema checks the schema itself).
func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(ID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(ID)
	if err != nil {
		t.Fatalf("the generated schema does not compile: %v", err)
	}
	return s
}

// instances returns the config documents of a fixture directory as JSON
// values: each YAML and JSON file alone, as an editor sees it, and the CUE
// files of the directory together (one package), exported to JSON by CUE
// (definitions such as templates are not data and are left out).
func instances(t *testing.T, dir string) map[string]any {
	t.Helper()
	out := map[string]any{}
	merged := &ast.File{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch filepath.Ext(path) {
		case ".cue":
			f, err := parser.ParseFile(path, data)
			if err != nil {
				return err
			}
			for _, d := range f.Decls {
				if _, isPkg := d.(*ast.Package); !isPkg {
					merged.Decls = append(merged.Decls, d)
				}
			}
		case ".yaml", ".yml":
			var v any
			if err := yaml.Unmarshal(data, &v); err != nil {
				return err
			}
			out[path] = toJSON(t, v)
		case ".json":
			out[path] = toJSON(t, json.RawMessage(data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Decls) > 0 {
		data, err := cuecontext.New().BuildFile(merged).MarshalJSON()
		if err != nil {
			t.Fatalf("%s: export CUE: %v", dir, err)
		}
		out[dir+"/*.cue"] = toJSON(t, json.RawMessage(data))
	}
	return out
}

// toJSON round-trips v through encoding/json into the validator's types.
func toJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestAcceptsValidFixtures: every valid config of the repo passes, and so
// do generated many-site repos.
func TestAcceptsValidFixtures(t *testing.T) {
	s := compile(t)
	dirs, err := filepath.Glob("../../fixtures/valid/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no valid fixtures: %v", err)
	}
	n := 0
	for _, dir := range dirs {
		for name, doc := range instances(t, dir) {
			n++
			if err := s.Validate(doc); err != nil {
				t.Errorf("%s: rejected: %v", name, err)
			}
		}
	}
	var doc any
	if err := yaml.Unmarshal(schematest.SitesYAML(3, 2), &doc); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(toJSON(t, doc)); err != nil {
		t.Errorf("schematest.SitesYAML: rejected: %v", err)
	}
	t.Logf("%d valid documents accepted", n)
}

// TestRejectsSchemaInvalidFixtures: the fixtures the CUE schema rejects
// are rejected at the same field.
func TestRejectsSchemaInvalidFixtures(t *testing.T) {
	s := compile(t)
	for fixture, field := range map[string]string{
		"port-range":    "maximum: got 70,000",
		"unknown-field": "additional properties 'activ'",
		"wrong-type":    "/softwareUpdatePoint/ssl",
	} {
		docs := instances(t, filepath.Join("../../fixtures/invalid", fixture))
		if len(docs) == 0 {
			t.Fatalf("fixtures/invalid/%s: no documents", fixture)
		}
		for name, doc := range docs {
			err := s.Validate(doc)
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("%s: accepted (%v), want rejected at %s", name, err, field)
				continue
			}
			if !strings.Contains(err.Error(), field) {
				t.Errorf("%s: rejected for another reason, want %s:\n%v", name, field, err)
			}
		}
	}
}
