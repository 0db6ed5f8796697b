package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
)

// node is a JSON value that keeps the order of its object's fields (the
// order of the schema's Go types), so that the rendered files read in the
// schema's order, and that carries the comment lines written above it.
type node struct {
	kind   kind
	key    string  // the field name in the parent object ("" in arrays)
	scalar any     // string, json.Number, bool or nil (kind scalar)
	kids   []*node // fields (object) or elements (array)
	notes  []string
}

type kind int

const (
	scalar kind = iota
	object
	array
)

// parseTree decodes JSON into a node, keeping the fields' order.
func parseTree(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseNode(dec)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("parse: data after the value")
	}
	return n, nil
}

func parseNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &node{kind: object}
		if t == '[' {
			n.kind = array
		}
		for dec.More() {
			key := ""
			if n.kind == object {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key = k.(string) // object keys are strings
			}
			kid, err := parseNode(dec)
			if err != nil {
				return nil, err
			}
			kid.key = key
			n.kids = append(n.kids, kid)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	default:
		return &node{kind: scalar, scalar: t}, nil
	}
}

// child returns the field key of an object node, or nil.
func (n *node) child(key string) *node {
	for _, k := range n.kids {
		if k.key == key {
			return k
		}
	}
	return nil
}

// remove deletes the field key of an object node, if present.
func (n *node) remove(key string) {
	for i, k := range n.kids {
		if k.key == key {
			n.kids = append(n.kids[:i:i], n.kids[i+1:]...)
			return
		}
	}
}

// at returns the node at the path of field names, or nil.
func (n *node) at(path ...string) *node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		n = n.child(p)
	}
	return n
}

// json encodes n compactly.
func (n *node) json() []byte {
	var b bytes.Buffer
	n.writeJSON(&b, "", "")
	return b.Bytes()
}

// writeJSON encodes n, indented by indent per level when indent is not "".
func (n *node) writeJSON(b *bytes.Buffer, prefix, indent string) {
	nl := func(p string) {
		if indent != "" {
			b.WriteByte('\n')
			b.WriteString(p)
		}
	}
	switch n.kind {
	case scalar:
		var v bytes.Buffer
		enc := json.NewEncoder(&v)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(n.scalar) // strings, json.Number, bools and nil always encode
		b.Write(bytes.TrimSuffix(v.Bytes(), []byte("\n")))
	case object, array:
		open, end := byte('{'), byte('}')
		if n.kind == array {
			open, end = '[', ']'
		}
		b.WriteByte(open)
		for i, k := range n.kids {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(prefix + indent)
			if n.kind == object {
				b.WriteString(strconv.Quote(k.key))
				b.WriteByte(':')
				if indent != "" {
					b.WriteByte(' ')
				}
			}
			k.writeJSON(b, prefix+indent, indent)
		}
		if len(n.kids) > 0 {
			nl(prefix)
		}
		b.WriteByte(end)
	}
}

// sameJSON reports whether two JSON texts hold the same value (fields in
// any order, numbers compared as written).
func sameJSON(a, b []byte) bool {
	var x, y any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
