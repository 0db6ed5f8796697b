package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	cueerrors "cuelang.org/go/cue/errors"
	"go.yaml.in/yaml/v3"
)

// utf8BOM is the byte-order mark Windows PowerShell 5.1 writes at the start
// of UTF-8 files (Out-File, Set-Content -Encoding UTF8).
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// stripJSONBOM drops a UTF-8 byte-order mark from a JSON file's text: the
// JSON decoder rejects it while the YAML and CUE ones skip it.
func stripJSONBOM(name string, src []byte) []byte {
	if filepath.Ext(name) != ".json" {
		return src
	}
	return bytes.TrimPrefix(src, utf8BOM)
}

// yamlLineBreaks makes every bare carriage return of a YAML file's text
// (classic Mac OS line ends) a line feed. YAML reads a lone CR as a line
// break; CUE's YAML decoder numbers lines by LF only, and a YAML line past
// its last LF made it panic (index out of range in yamlOffset, cuelang.org/go
// v0.17.1; found by FuzzLoadYAML with "\r\r0"). One byte for one: offsets
// and columns stay, and lines are counted as YAML counts them. CR LF stays.
func yamlLineBreaks(name string, src []byte) []byte {
	if ext := filepath.Ext(name); ext != ".yaml" && ext != ".yml" || !bytes.Contains(src, []byte("\r")) {
		return src
	}
	out := bytes.Clone(src)
	for i, c := range out {
		if c == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// unreadableDirPos is where the problem of a directory discover could not
// read is reported: the directory itself.
func unreadableDirPos(err error) Pos {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return Pos{File: pe.Path, Line: 1, Col: 1}
	}
	return Pos{Line: 1, Col: 1}
}

// unreadableDirMsg says why a directory was not read.
func unreadableDirMsg(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("cannot read directory: %v; the config files in it are not vetted", err)
}

// yamlSiteCodeSyntax turns the syntax error of a YAML file that stops on a
// plain site code looking like a number YAML cannot decode (0O6: an octal
// number in a spelling the decoder rejects) into the "quote it" problem
// yamlSiteCodeProblems gives a site code such as 010. It finds the key by
// the error's line and the file's structure, never by the message.
func yamlSiteCodeSyntax(name string, src []byte, err error) (Problem, bool) {
	errs := cueerrors.Errors(err)
	if len(errs) == 0 {
		return Problem{}, false
	}
	line := 1
	if n, _, ok := yamlDecoderError(name, errs[0].Error()); ok {
		line = n
	}
	if p := errs[0].Position(); p.IsValid() {
		line = p.Line()
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if !errors.Is(err, io.EOF) {
				break
			}
			return Problem{}, false
		}
		if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		top := doc.Content[0].Content
		for i := 0; i+1 < len(top); i += 2 {
			if top[i].Value != "sites" || top[i+1].Kind != yaml.MappingNode {
				continue
			}
			sites := top[i+1].Content
			for j := 0; j+1 < len(sites); j += 2 {
				k := sites[j]
				if k.Line == line && k.Style == 0 && k.Value != "" && (k.Value[0] >= '0' && k.Value[0] <= '9') {
					return Problem{Rule: RuleSchema, Path: []string{"sites", k.Value}, Pos: Pos{File: name, Line: k.Line, Col: k.Column},
						Msg: fmt.Sprintf("site code %s is read by YAML as a number it cannot decode, not a string: quote it, %q", k.Value, k.Value)}, true
				}
			}
		}
	}
	return Problem{}, false
}
